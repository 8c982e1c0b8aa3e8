package dev.saekit.train;

import dev.saekit.model.SaeOutput;

/**
 * One training step as listeners see it. {@code output} holds the step's forward pass (views of
 * the model's buffers, valid only during the callback).
 *
 * @param epoch         0-based epoch
 * @param step          1-based step over the whole run
 * @param stepInEpoch   1-based step within the epoch
 * @param loss          the loss of this batch
 * @param r2            overcomplete's r2 of this batch
 * @param l0            mean count of codes with {@code |z| >= 1e-6} per sample
 * @param gradNorm      global gradient norm before clipping
 * @param learningRate  the learning rate of this step's update
 */
public record StepState(int epoch, long step, int stepInEpoch, int stepsPerEpoch, long totalSteps, double loss, double r2,
                        double l0, double gradNorm, double learningRate, SaeOutput output) {
}
