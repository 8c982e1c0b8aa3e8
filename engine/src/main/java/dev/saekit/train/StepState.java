package dev.saekit.train;

import dev.saekit.model.SaeOutput;

/**
 * One training step as listeners see it. {@code output} holds the step's forward pass (views of
 * the model's buffers, valid only during the callback).
 *
 * <p>Clipping is applied by the optimiser as it reads the gradients (one pass less over them), so in
 * {@link TrainingListener#beforeUpdate} every {@code Parameter.grad()} still holds the gradient BEFORE
 * clipping, of global norm {@code gradNorm}; the update uses {@code grad() * clipScale}, of global
 * norm {@code gradNorm * clipScale} (at most the configured bound).
 *
 * @param epoch         0-based epoch
 * @param step          1-based step over the whole run
 * @param stepInEpoch   1-based step within the epoch
 * @param loss          the loss of this batch
 * @param r2            overcomplete's r2 of this batch
 * @param l0            mean count of codes with {@code |z| >= 1e-6} per sample
 * @param gradNorm      global gradient norm before clipping
 * @param learningRate  the learning rate of this step's update
 * @param clipScale     the factor clipping applies to every gradient: {@code min(1, bound / (gradNorm + 1e-6))},
 *                      1 without clipping
 */
public record StepState(
        int epoch,
        long step,
        int stepInEpoch,
        int stepsPerEpoch,
        long totalSteps,
        double loss,
        double r2,
        double l0,
        double gradNorm,
        double learningRate,
        SaeOutput output,
        double clipScale) {

    /** A step whose gradients were not clipped ({@code clipScale} 1). */
    public StepState(
            int epoch,
            long step,
            int stepInEpoch,
            int stepsPerEpoch,
            long totalSteps,
            double loss,
            double r2,
            double l0,
            double gradNorm,
            double learningRate,
            SaeOutput output) {
        this(epoch, step, stepInEpoch, stepsPerEpoch, totalSteps, loss, r2, l0, gradNorm, learningRate, output, 1.0);
    }
}
