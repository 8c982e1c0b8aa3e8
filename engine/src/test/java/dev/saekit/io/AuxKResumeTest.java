package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.saekit.train.Losses;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.StepState;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A TopK run with AuxK, resumed from any of its checkpoints, ends in float64 bit for bit where the
 * uninterrupted run ends: the checkpoints keep the dead-code trackers' open windows and masks.
 */
class AuxKResumeTest {
    private static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(7).normal(DType.FLOAT64, 1.0, 70, 6), "random");
    private static final ModelSpec SPEC =
            ModelSpec.of(SaeConfig.of(6, 24).withDType(DType.FLOAT64).withSeed(8), new TopKSpec(2));

    /** 5 steps per epoch, 3 epochs; AuxK's dead concepts are those silent in the last 3 steps. */
    private static TrainingConfig config(DeadCodeTracker tracker) {
        return TrainingConfig.builder()
                .epochs(3)
                .batchSize(16)
                .optimizer(OptimizerConfig.adam(3e-2))
                .loss(Losses.mse().plus(new AuxKLoss(tracker, 3, 0.5)))
                .build();
    }

    static Stream<Arguments> windowsAndSteps() {
        // windows of 3 steps, and of one epoch (closed by the epoch's end: step 5 is saved after it)
        return Stream.of(3L, 0L).flatMap(w -> LongStream.of(2, 4, 5, 7, 11).mapToObj(s -> Arguments.of(w, s)));
    }

    @ParameterizedTest(name = "dead-code window {0} steps (0: an epoch), resumed after step {1}")
    @MethodSource("windowsAndSteps")
    void resumingFromAnyCheckpointEndsBitForBit(long window, long step, @TempDir Path root) throws IOException {
        SparseAutoencoder uninterrupted = SPEC.build();
        DeadCounter dead = new DeadCounter();
        DeadCodeTracker tracker = new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, window);
        dead.tracker = tracker;
        new Trainer(
                        config(tracker),
                        dead,
                        CheckpointListener.builder(root).every(1).keep(20).build())
                .fit(uninterrupted, DATA);
        assertTrue(
                dead.stepsWithDeadConcepts >= 5,
                "AuxK must be at work for the test to mean something, " + "was at " + dead.stepsWithDeadConcepts
                        + " steps");

        Checkpoint c = Checkpoints.load(root.resolve(String.format("step-%09d", step)));
        assertTrue(
                c.listenerStates().containsKey(DeadCodeTracker.AUXK_STATE),
                c.listenerStates().keySet().toString());
        assertTrue(
                c.listenerStates().containsKey(DeadCodeTracker.EPOCH_STATE),
                c.listenerStates().keySet().toString());
        Trainer resumed = new Trainer(config(new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, window)));
        c.restoreOptimizer((Adam) resumed.optimizer());
        resumed.resume(c.model(), DATA, c.progress(), c.listenerStates());
        assertSameWeights(uninterrupted, c.model());
    }

    @Test
    void withoutTheSavedTrackerStatesTheResumedRunDiffers(@TempDir Path root) throws IOException {
        SparseAutoencoder uninterrupted = SPEC.build();
        new Trainer(
                        config(new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 3)),
                        CheckpointListener.builder(root).every(7).keep(20).build())
                .fit(uninterrupted, DATA);
        Checkpoint c = Checkpoints.load(root.resolve("step-000000007"));
        Trainer resumed = new Trainer(config(new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 3)));
        c.restoreOptimizer((Adam) resumed.optimizer());
        resumed.resume(c.model(), DATA, c.progress()); // the trackers start afresh: no dead mask until a window closes
        boolean differs = uninterrupted.parameters().stream()
                .anyMatch(p -> !Arrays.equals(
                        p.value().dup().data().asDouble(),
                        c.model()
                                .parameter(p.name())
                                .orElseThrow()
                                .value()
                                .dup()
                                .data()
                                .asDouble()));
        assertTrue(differs, "the saved dead-code state must matter, or the test above proves nothing");
    }

    private static void assertSameWeights(SparseAutoencoder expected, SparseAutoencoder actual) {
        for (Parameter p : expected.parameters()) {
            assertArrayEquals(
                    p.value().dup().data().asDouble(),
                    actual.parameter(p.name())
                            .orElseThrow()
                            .value()
                            .dup()
                            .data()
                            .asDouble(),
                    0.0,
                    p.name());
        }
        assertEquals(expected.parameters().size(), actual.parameters().size());
    }

    /** Counts the steps at which AuxK's tracker had dead concepts. */
    private static final class DeadCounter implements TrainingListener {
        DeadCodeTracker tracker;
        int stepsWithDeadConcepts;

        @Override
        public void beforeUpdate(StepState s) {
            for (boolean d : tracker.deadMask()) {
                if (d) {
                    stepsWithDeadConcepts++;
                    return;
                }
            }
        }
    }
}
