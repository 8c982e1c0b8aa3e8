package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.model.SparseAutoencoder;

/**
 * What a listener learns when training starts: the model, the data, the config, the run's length, the
 * optimiser (whose state a checkpoint saves) and where the run starts (not at step 0 when resumed).
 */
public record TrainingContext(SparseAutoencoder model, Dataset data, TrainingConfig config, int stepsPerEpoch,
                              long totalSteps, Optimizer optimizer, TrainingProgress start) {
}
