package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.tensor.DType;
import dev.saekit.train.Adam;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged, edited and mixed-up checkpoints: each refused with the file and what to do, and nothing pruned that is not provably older. */
class CheckpointFaultsTest {
    private static final ModelSpec SPEC =
            ModelSpec.of(SaeConfig.of(6, 12).withDType(DType.FLOAT64).withSeed(1), new TopKSpec(2));
    private static final ModelSpec OTHER =
            ModelSpec.of(SaeConfig.of(6, 20).withDType(DType.FLOAT64).withSeed(1), new TopKSpec(2));

    /** A checkpoint of a model trained for one epoch, with Adam's state, at {@code step}, of run {@code runId}. */
    private static Path save(Path root, ModelSpec spec, long step, String runId) throws IOException {
        SparseAutoencoder m = spec.build();
        Trainer t = new Trainer(TrainingConfig.builder().epochs(1).batchSize(16).build());
        t.fit(m, CheckpointsTest.DATA);
        return Checkpoints.save(
                root,
                Checkpoints.State.builder(m, new TrainingProgress(0, (int) Math.min(step, 4), step))
                        .optimizer(t.optimizer())
                        .runId(runId)
                        .build(),
                3);
    }

    @Test
    void aLatestThatIsNotUtf8TextIsRefusedNamingItAndTheFix(@TempDir Path root) throws IOException {
        save(root, SPEC, 4, "a");
        Files.write(root.resolve("latest"), new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF});
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Checkpoints.load(root));
        assertTrue(e.getMessage().startsWith(root.resolve("latest") + ": does not name a checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains("delete it") && e.getMessage().contains("step-000000004"), e.getMessage());
    }

    @Test
    void aLatestNamingAMissingCheckpointFallsBackToTheNewestComplete(@TempDir Path root) throws IOException {
        // as after a kill while the step latest names was being saved again (its old copy moved aside)
        save(root, SPEC, 4, "a");
        save(root, SPEC, 6, "a");
        Files.writeString(root.resolve("latest"), "step-000000009\n");
        assertEquals(6, Checkpoints.load(root).progress().step());
    }

    @Test
    void anEditedStepIsRefusedAgainstItsDirectory(@TempDir Path root) throws IOException {
        Path dir = save(root, SPEC, 4, "a");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config =
                (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        ((ObjectNode) config.get("progress")).put("step", 1_000_000_000_000L);
        json.writeValue(dir.resolve("config.json").toFile(), config);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Checkpoints.load(root));
        assertTrue(
                e.getMessage()
                        .contains("progress.step is 1000000000000 but the checkpoint's directory is step-000000004"),
                e.getMessage());
    }

    @Test
    void aNegativeOrNonIntegerProgressIsRefused(@TempDir Path root) throws IOException {
        Path dir = save(root, SPEC, 4, "a");
        ObjectMapper json = new ObjectMapper();
        ObjectNode config =
                (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        ((ObjectNode) config.get("progress")).put("epoch", -3);
        json.writeValue(dir.resolve("config.json").toFile(), config);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Checkpoints.load(root));
        assertTrue(e.getMessage().contains("progress.epoch must be a count >= 0, was -3"), e.getMessage());
    }

    @Test
    void savingPrunesOnlyTheSameRunsOlderCheckpoints(@TempDir Path root) throws IOException {
        save(root, SPEC, 200, "first");
        save(root, SPEC, 100, "second"); // another run into the same root, at a smaller step: both stay
        assertEquals(List.of("step-000000100", "step-000000200"), names(root));
        assertEquals(
                "step-000000100",
                Files.readString(root.resolve("latest")).trim(),
                "latest names the checkpoint just written");
        assertEquals(100, Checkpoints.load(root).progress().step());
        for (long step : new long[] {300, 400, 500, 600}) { // the first run goes on, keeping its newest 3
            save(root, SPEC, step, "first");
        }
        assertEquals(
                List.of("step-000000100", "step-000000400", "step-000000500", "step-000000600"),
                names(root),
                "the second run's checkpoint is not the first run's to prune");
    }

    @Test
    void theCheckpointJustWrittenIsNeverPruned(@TempDir Path root) throws IOException {
        save(root, SPEC, 200, "a");
        Checkpoints.save(
                root,
                Checkpoints.State.builder(SPEC.build(), new TrainingProgress(0, 4, 4))
                        .runId("a")
                        .build(),
                1);
        assertTrue(names(root).contains("step-000000004"), names(root).toString());
        assertEquals(4, Checkpoints.load(root).progress().step());
    }

    @Test
    void aMissingOptimizerFileIsRefusedWhenTheStateIsRestored(@TempDir Path root) throws IOException {
        Path dir = save(root, SPEC, 4, "a");
        Files.delete(dir.resolve("optimizer.safetensors"));
        Checkpoint c = Checkpoints.load(root); // the model alone still loads (encode, export)
        assertTrue(c.optimizerMissing());
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> c.restoreOptimizer(new Adam(dev.saekit.train.OptimizerConfig.adam(1e-3))));
        assertTrue(e.getMessage().startsWith(dir.resolve("optimizer.safetensors") + " is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("--reset-optimizer"), e.getMessage());
    }

    @Test
    void anOptimizerFileOfAnotherModelIsRefusedNamingIt(@TempDir Path root, @TempDir Path elsewhere)
            throws IOException {
        Path dir = save(root, SPEC, 4, "a");
        Path other = save(elsewhere, OTHER, 4, "b");
        Files.copy(
                other.resolve("optimizer.safetensors"),
                dir.resolve("optimizer.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Checkpoints.load(root));
        assertTrue(
                e.getMessage().startsWith(dir.resolve("optimizer.safetensors").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("belongs to another model"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }

    private static List<String> names(Path root) throws IOException {
        return Checkpoints.completeCheckpoints(root).stream()
                .map(p -> p.getFileName().toString())
                .toList();
    }
}
