package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.train.OptimizerConfig.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Validation of the training and optimiser configs: each error names the field and the bad value. */
class TrainingConfigTest {

    private static void assertRejected(String message, Executable build) {
        assertEquals(
                message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }

    @Test
    void theBuilderDefaultsAreOvercompletesTrainSae() {
        TrainingConfig c = TrainingConfig.builder().build();
        assertEquals(20, c.epochs());
        assertEquals(1.0, c.clipNorm());
        assertEquals(OptimizerConfig.adam(5e-4), c.optimizer());
        assertEquals(Schedule.constant(), c.schedule());
        assertEquals(new LossSpec.Mse(), c.loss().spec());
    }

    @Test
    void trainingFieldsAreValidatedByName() {
        assertRejected(
                "epochs must be > 0, was 0",
                () -> TrainingConfig.builder().epochs(0).build());
        assertRejected(
                "batchSize must be > 0, was -4",
                () -> TrainingConfig.builder().batchSize(-4).build());
        assertRejected(
                "clipNorm must be finite and >= 0 (0 disables clipping), was -1.0",
                () -> TrainingConfig.builder().clipNorm(-1).build());
        assertRejected(
                "clipNorm must be finite and >= 0 (0 disables clipping), was NaN",
                () -> TrainingConfig.builder().clipNorm(Double.NaN).build());
        assertRejected(
                "optimizer, schedule and loss are required, got optimizer=" + OptimizerConfig.adam(5e-4)
                        + ", schedule=constant, loss=null",
                () -> TrainingConfig.builder().loss(null).build());
    }

    @Test
    void optimizerFieldsAreValidatedByName() {
        assertRejected("learningRate must be finite and > 0, was 0.0", () -> OptimizerConfig.adam(0));
        assertRejected(
                "learningRate must be finite and > 0, was Infinity",
                () -> OptimizerConfig.adam(Double.POSITIVE_INFINITY));
        assertRejected(
                "beta1 must be in [0, 1), was 1.0", () -> new OptimizerConfig(Kind.ADAM, 1e-3, 1.0, 0.999, 1e-8, 0));
        assertRejected(
                "beta2 must be in [0, 1), was -0.1", () -> new OptimizerConfig(Kind.ADAM, 1e-3, 0.9, -0.1, 1e-8, 0));
        assertRejected("epsilon must be > 0, was 0.0", () -> new OptimizerConfig(Kind.ADAM, 1e-3, 0.9, 0.999, 0, 0));
        assertRejected("weightDecay must be finite and >= 0, was -0.01", () -> OptimizerConfig.adamW(1e-3, -0.01));
        assertRejected("optimizer kind is required", () -> new OptimizerConfig(null, 1e-3, 0.9, 0.999, 1e-8, 0));
    }

    @Test
    void optimizerKindsParseByName() {
        assertEquals(Kind.ADAMW, Kind.parse("AdamW"));
        assertEquals("adam", Kind.ADAM.toString());
        assertRejected("unknown optimizer 'sgd'; accepted: adam, adamw", () -> Kind.parse("sgd"));
    }

    @Test
    void withLearningRateKeepsEverythingElse() {
        OptimizerConfig c = OptimizerConfig.adamW(1e-3, 0.05).withLearningRate(2e-4);
        assertEquals(new OptimizerConfig(Kind.ADAMW, 2e-4, 0.9, 0.999, 1e-8, 0.05), c);
        assertEquals(Adam.class, c.create().getClass());
    }
}
