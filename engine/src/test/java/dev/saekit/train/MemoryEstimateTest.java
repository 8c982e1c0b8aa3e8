package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.Sae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.TestModels;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.MemoryBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The estimate of a training run's memory, its check, and the trainer's use of it. */
class MemoryEstimateTest {
    private static final InMemoryDataset DATA = SyntheticData.sparseDictionary(64, 16, 8, 2, DType.FLOAT32, 1);

    @TempDir
    Path empty; // a root with no /sys or /proc: only the limits a test gives

    private static Sae model(int concepts, DType dtype) {
        return TestModels.vanilla(SaeConfig.of(16, concepts).withDType(dtype));
    }

    @Test
    void aTinyModelByHand() {
        MemoryEstimate e = MemoryEstimate.of(model(32, DType.FLOAT32), 8, 100);
        // trainable: encoder weight 32 x 16, its bias 32, dictionary 32 x 16 = 1,056 floats = 4,224 B;
        // one buffer (the dictionary's multiplier), 1 float = 4 B
        assertEquals(2 * 4224 + 2 * 4, e.parameters()); // values and gradients; the buffer and the trainer's copy of it
        assertEquals(2 * 4224, e.optimizer()); // Adam's two moments
        assertEquals(3 * 4 * 32 * 16, e.dictionary());
        assertEquals(4 * 8 * (5 * 32 + 3 * 16), e.activations());
        assertEquals(100, e.data());
        assertEquals(MemoryEstimate.OVERHEAD, e.overhead());
        assertEquals(8456 + 8448 + 6144 + 6656 + 100 + MemoryEstimate.OVERHEAD, e.total());
    }

    @Test
    void itGrowsWithTheBatchTheConceptsAndTheDType() {
        long base = MemoryEstimate.of(model(64, DType.FLOAT32), 32, 0).total() - MemoryEstimate.OVERHEAD;
        long batch = MemoryEstimate.of(model(64, DType.FLOAT32), 64, 0).total() - MemoryEstimate.OVERHEAD;
        long concepts = MemoryEstimate.of(model(128, DType.FLOAT32), 32, 0).total() - MemoryEstimate.OVERHEAD;
        long float64 = MemoryEstimate.of(model(64, DType.FLOAT64), 32, 0).total() - MemoryEstimate.OVERHEAD;
        assertEquals(base + 4 * 32 * (5 * 64 + 3 * 16), batch); // one more batch of activations
        assertTrue(concepts > 1.9 * base, base + " -> " + concepts);
        assertEquals(2 * base, float64); // every array twice as wide
    }

    @Test
    void theBatchIsAtMostTheDataAndTheDataInMemoryCounts() {
        MemoryEstimate e = MemoryEstimate.of(
                model(32, DType.FLOAT32),
                DATA,
                TrainingConfig.builder().batchSize(1024).build());
        assertEquals(64, e.batch());
        assertEquals(64 * 16 * 4, e.data());
    }

    @Test
    void aRunThatFitsPassesAndOneThatDoesNotSaysWhatToDo() {
        MemoryEstimate e = MemoryEstimate.of(model(32, DType.FLOAT64), 8, 0);
        assertDoesNotThrow(() -> e.check(new MemoryBudget(empty, 0, null))); // no limit found: nothing to check against
        assertDoesNotThrow(() -> e.check(new MemoryBudget(empty, e.total(), null)));
        InsufficientMemoryException x =
                assertThrows(InsufficientMemoryException.class, () -> e.check(new MemoryBudget(empty, 0, "100m")));
        assertEquals(e.total(), x.neededBytes());
        assertEquals(100L << 20, x.availableBytes());
        String m = x.getMessage();
        assertTrue(m.startsWith("training needs about 320 MiB (parameters and gradients "), m);
        assertTrue(m.contains("activations of a batch of 8 rows x 32 concepts "), m);
        assertTrue(m.contains("but 100 MiB (-Dsaekit.memory.limit=100m) is available"), m);
        for (String advice : new String[] {
            "smaller batch",
            "fewer concepts",
            "float32 instead of float64",
            "more memory",
            "-Dsaekit.memory.check=false"
        }) {
            assertTrue(m.contains(advice), advice + " missing from: " + m);
        }
        String float32 = assertThrows(
                        InsufficientMemoryException.class,
                        () -> MemoryEstimate.of(model(32, DType.FLOAT32), 8, 0)
                                .check(new MemoryBudget(empty, 0, "100m")))
                .getMessage();
        assertTrue(!float32.contains("float64"), "no dtype advice for a float32 model: " + float32);
    }

    @Test
    void theTrainerChecksBeforeTheFirstStepUnlessTurnedOff() {
        List<String> events = new ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingContext context) {
                events.add("start");
            }
        };
        TrainingConfig config = TrainingConfig.builder().epochs(1).batchSize(16).build();
        String limit = System.getProperty(MemoryBudget.LIMIT_PROPERTY);
        String check = System.getProperty(MemoryEstimate.CHECK_PROPERTY);
        try {
            System.setProperty(MemoryBudget.LIMIT_PROPERTY, "1m");
            Sae model = model(32, DType.FLOAT32);
            InsufficientMemoryException x = assertThrows(
                    InsufficientMemoryException.class, () -> new Trainer(config, recorder).fit(model, DATA));
            assertTrue(x.getMessage().contains("(-Dsaekit.memory.limit=1m)"), x.getMessage());
            assertEquals(List.of(), events);

            System.setProperty(MemoryEstimate.CHECK_PROPERTY, "false");
            assertTrue(new Trainer(config, recorder).fit(model, DATA).completed());
            assertEquals(List.of("start"), events);
        } finally {
            restore(MemoryBudget.LIMIT_PROPERTY, limit);
            restore(MemoryEstimate.CHECK_PROPERTY, check);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
