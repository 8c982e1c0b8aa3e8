package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Adam;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.LossSpec;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Schedule;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingResult;
import dev.saekit.train.listeners.DeadCodeTracker;
import dev.saekit.train.listeners.MetricHistory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of the Java API resumes from its checkpoint alone: the checkpoint records the training
 * config (AuxK's settings included) and the data's shape, and the resumed run ends in float64 bit
 * for bit where the uninterrupted one ends: weights, Adam's moments and the loss of every step.
 */
class CheckpointResumeTest {
    private static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(7).normal(DType.FLOAT64, 1.0, 70, 6), "random");
    private static final ModelSpec SPEC =
            ModelSpec.of(SaeConfig.of(6, 24).withDType(DType.FLOAT64).withSeed(8), new TopKSpec(2));

    /** 5 steps per epoch, 3 epochs, a cosine schedule, AdamW, and AuxK whose dead concepts are those silent for 3 steps. */
    private static TrainingConfig config() {
        return TrainingConfig.builder()
                .epochs(3)
                .batchSize(16)
                .optimizer(OptimizerConfig.adamW(3e-2, 0.01))
                .schedule(Schedule.cosine(0.2, 0.1))
                .clipNorm(0.5)
                .seed(11)
                .loss(new LossSpec.Sum(
                                List.of(new LossSpec.Mse(), new LossSpec.AuxK(3, 0.5, AuxKLoss.Flavor.SAELENS, 3)))
                        .build())
                .build();
    }

    @Test
    void aRunResumedFromItsCheckpointAloneEndsBitForBit(@TempDir Path tmp) throws IOException {
        SparseAutoencoder uninterrupted = SPEC.build();
        Trainer whole = new Trainer(
                config(),
                CheckpointListener.builder(tmp.resolve("whole"))
                        .every(1)
                        .keep(20)
                        .build());
        TrainingResult all = whole.fit(uninterrupted, DATA);

        Checkpoint c = Checkpoints.load(tmp.resolve("whole").resolve("step-000000007"));
        assertEquals(config().loss().spec(), c.trainingConfig().loss().spec(), "AuxK's settings are recorded");
        assertEquals(TrainingConfigJson.toJson(config()), TrainingConfigJson.toJson(c.trainingConfig()));
        DataProvenance data = c.dataProvenance().orElseThrow();
        assertEquals(List.of(70L, 6, "random"), List.of(data.rows(), data.cols(), data.description()));
        assertTrue(
                c.listenerStates().containsKey(DeadCodeTracker.AUXK_STATE),
                c.listenerStates().keySet().toString());

        Trainer resumed = c.trainer(List.of(CheckpointListener.builder(tmp.resolve("whole"))
                .every(1)
                .keep(20)
                .runId(c.runId())
                .build()));
        TrainingResult rest = c.resume(resumed, DATA);

        assertSameRun(uninterrupted, whole, all.history(), c.model(), resumed, rest.history(), 7);
        Checkpoint last = Checkpoints.load(tmp.resolve("whole"));
        assertEquals(15, last.progress().step());
        assertEquals(c.runId(), last.runId(), "the resumed run's checkpoints are the same run's");
    }

    @Test
    void dataOfAnotherShapeIsRefusedNamingBoth(@TempDir Path tmp) throws IOException {
        new Trainer(config(), CheckpointListener.builder(tmp).every(5).build()).fit(SPEC.build(), DATA);
        Checkpoint c = Checkpoints.load(tmp.resolve("step-000000005"));
        InMemoryDataset fewer = InMemoryDataset.of(
                DATA.matrix()
                        .get(
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 60),
                                org.nd4j.linalg.indexing.NDArrayIndex.all())
                        .dup(),
                "fewer");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> c.resume(c.trainer(List.of()), fewer));
        assertTrue(e.getMessage().contains("70 rows x 6") && e.getMessage().contains("60 x 6"), e.getMessage());
    }

    /**
     * The resumed run ({@code model}, {@code trainer}, {@code history} from step {@code from}) ends
     * exactly where the whole one does.
     */
    static void assertSameRun(
            SparseAutoencoder expected,
            Trainer whole,
            MetricHistory all,
            SparseAutoencoder actual,
            Trainer resumed,
            MetricHistory rest,
            int from) {
        for (Parameter p : expected.parameters()) {
            Parameter q = actual.parameter(p.name()).orElseThrow();
            assertArrayEquals(
                    p.value().dup().data().asDouble(), q.value().dup().data().asDouble(), 0.0, p.name());
            if (p.isTrainable()) {
                Adam.State a = ((Adam) whole.optimizer()).state(p);
                Adam.State b = ((Adam) resumed.optimizer()).state(q);
                assertEquals(a.step(), b.step(), p.name());
                assertArrayEquals(
                        a.expAvg().dup().data().asDouble(),
                        b.expAvg().dup().data().asDouble(),
                        0.0,
                        p.name() + " exp_avg");
                assertArrayEquals(
                        a.expAvgSq().dup().data().asDouble(),
                        b.expAvgSq().dup().data().asDouble(),
                        0.0,
                        p.name() + " exp_avg_sq");
            }
        }
        double[] losses =
                all.steps().stream().mapToDouble(MetricHistory.StepRecord::loss).toArray();
        assertArrayEquals(
                java.util.Arrays.copyOfRange(losses, from, losses.length),
                rest.steps().stream()
                        .mapToDouble(MetricHistory.StepRecord::loss)
                        .toArray(),
                0.0,
                "the loss of each step");
    }
}
