package dev.saekit.train;

import dev.saekit.train.listeners.MetricHistory;
import java.util.Optional;

/**
 * How a run ended.
 *
 * @param status  completed, or diverged (the model keeps the last finite weights)
 * @param message why it stopped, with advice, when it did not complete
 * @param steps   optimiser steps applied
 * @param seconds wall time
 * @param history every step's and epoch's metrics
 */
public record TrainingResult(Status status, String message, long steps, double seconds, MetricHistory history) {

    public enum Status {
        COMPLETED,
        DIVERGED
    }

    public boolean completed() {
        return status == Status.COMPLETED;
    }

    /** The summary of the last finished epoch, if any. */
    public Optional<EpochSummary> lastEpoch() {
        return history.epochs().isEmpty()
                ? Optional.empty()
                : Optional.of(history.epochs().get(history.epochs().size() - 1));
    }
}
