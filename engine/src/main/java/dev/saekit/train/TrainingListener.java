package dev.saekit.train;

/**
 * Extends the {@link Trainer}: progress display, divergence checks, dead-code tracking, metric
 * logging and checkpointing are listeners. Every method has an empty default.
 */
public interface TrainingListener {

    default void onTrainingStart(TrainingContext context) {}

    /**
     * Called after the backward pass, before the optimiser changes any weight. The parameters'
     * gradients are those BEFORE clipping; the update multiplies them by {@link StepState#clipScale()}
     * (clipping is folded into the optimiser's read of the gradients). A listener that throws
     * {@link TrainingDivergedException} here stops training with the weights of the previous step intact.
     */
    default void beforeUpdate(StepState state) {}

    /** Called after the optimiser step. */
    default void onStep(StepState state) {}

    default void onEpochEnd(EpochSummary summary) {}

    default void onTrainingEnd(TrainingResult result) {}
}
