package dev.saekit.io;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import java.nio.file.Path;

/** A training process that saves a checkpoint every step until it is killed (see {@link CheckpointKillTest}). */
public final class CheckpointCrashChild {
    static final ModelSpec SPEC = ModelSpec.of(SaeConfig.of(64, 512).withDType(DType.FLOAT64).withSeed(9),
            new ModelSpec.VariantSpec.TopK(8));
    static final TrainingConfig CONFIG = TrainingConfig.builder().epochs(100_000).batchSize(32).build();
    static final InMemoryDataset DATA = InMemoryDataset.of(new SeededRandom(8).normal(DType.FLOAT64, 1.0, 256, 64), "random");

    private CheckpointCrashChild() {
    }

    public static void main(String[] args) {
        new Trainer(CONFIG, new CheckpointListener(Path.of(args[0]), 1, false, 3, null, null, null)).fit(SPEC.build(), DATA);
    }
}
