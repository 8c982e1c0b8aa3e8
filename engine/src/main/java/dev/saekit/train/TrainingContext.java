package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.model.SparseAutoencoder;

/** What a listener learns when training starts. */
public record TrainingContext(SparseAutoencoder model, Dataset data, TrainingConfig config, int stepsPerEpoch,
                              long totalSteps) {
}
