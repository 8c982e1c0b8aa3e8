package dev.saekit.io;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.TopKSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training process that saves a checkpoint every step (keeping 3) until it is killed (see
 * {@link CheckpointKillTest}). Arguments: the checkpoint root, then optionally a
 * {@link Checkpoints.SavePoint}, a save number {@code n} and a marker file: the n-th time a save
 * reaches that point, the process creates the marker and waits there, mid-save, to be killed. With
 * a fifth argument {@code resave} it does not train: it saves the checkpoint that {@code latest}
 * names once more, as resuming a finished run does.
 */
public final class CheckpointCrashChild {
    static final ModelSpec SPEC =
            ModelSpec.of(SaeConfig.of(64, 512).withDType(DType.FLOAT64).withSeed(9), new TopKSpec(8));
    static final TrainingConfig CONFIG =
            TrainingConfig.builder().epochs(100_000).batchSize(32).build();
    static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(8).normal(DType.FLOAT64, 1.0, 256, 64), "random");
    static final int KEEP = 3;

    private CheckpointCrashChild() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        if (args.length >= 4) {
            pauseAt(Checkpoints.SavePoint.valueOf(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
        }
        if (args.length == 5 && args[4].equals("resave")) {
            // what resuming a finished run does: save the step that latest names once more
            Checkpoint c = Checkpoints.load(root);
            Checkpoints.save(
                    root, Checkpoints.State.builder(c.model(), c.progress()).build(), KEEP);
            return;
        }
        new Trainer(CONFIG, CheckpointListener.builder(root).every(1).keep(KEEP).build()).fit(SPEC.build(), DATA);
    }

    private static void pauseAt(Checkpoints.SavePoint point, int nth, Path marker) {
        int[] seen = {0};
        Checkpoints.pauseHook = reached -> {
            if (reached != point || ++seen[0] < nth) {
                return;
            }
            try {
                Files.createFile(marker);
                Thread.sleep(Long.MAX_VALUE); // until the parent kills the process
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
