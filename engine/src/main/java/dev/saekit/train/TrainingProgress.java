package dev.saekit.train;

/**
 * Where a run stands: {@code step} optimiser steps applied in all, of which {@code stepInEpoch} in
 * the current {@code epoch} (0-based). A checkpoint records it; {@link Trainer#resume} continues from
 * it, skipping the batches the epoch already used, in the same seeded order.
 */
public record TrainingProgress(int epoch, int stepInEpoch, long step) {

    public TrainingProgress {
        if (epoch < 0 || stepInEpoch < 0 || step < 0) {
            throw new IllegalArgumentException("training progress must be non-negative, was epoch=" + epoch
                    + ", stepInEpoch=" + stepInEpoch + ", step=" + step);
        }
    }

    /** The start of a run. */
    public static TrainingProgress start() {
        return new TrainingProgress(0, 0, 0);
    }
}
