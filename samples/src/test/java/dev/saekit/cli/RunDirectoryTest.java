package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a run writes: never over another run, a resume under its own run, and a metrics.json only beside its model. */
class RunDirectoryTest {
    private static final String[] SMALL = {
        "train",
        "--variant",
        "topk",
        "--k",
        "4",
        "--concepts",
        "32",
        "--epochs",
        "2",
        "--batch-size",
        "1000",
        "--no-progress",
        "--top-concepts",
        "0"
    };

    @TempDir
    Path tmp;

    private static String[] with(String... more) {
        String[] all = java.util.Arrays.copyOf(SMALL, SMALL.length + more.length);
        System.arraycopy(more, 0, all, SMALL.length, more.length);
        return all;
    }

    @Test
    void aSecondRunIntoTheSameOutIsRefusedUnlessOverwriteReplacesIt() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, CliRun.of(with("--out", out.toString(), "--seed", "1")).exitCode());
        byte[] first = Files.readAllBytes(
                out.resolve("model").resolve(latest(out.resolve("model"))).resolve("weights.safetensors"));

        CliRun again = CliRun.of(with("--out", out.toString(), "--seed", "2"));
        assertEquals(SaekitCli.EXIT_USAGE, again.exitCode());
        assertEquals(
                List.of("saekit: error: --out " + out
                        + " already holds a run (history, metrics.json, model); give --overwrite "
                        + "to replace it, --resume " + out.resolve("checkpoints")
                        + " to continue it (if it saved checkpoints), or a new --out"),
                again.errLines());
        assertArrayEquals(
                first,
                Files.readAllBytes(out.resolve("model")
                        .resolve(latest(out.resolve("model")))
                        .resolve("weights.safetensors")),
                "the refused run changed nothing");

        CliRun replaced = CliRun.of(with("--out", out.toString(), "--seed", "2", "--overwrite"));
        assertEquals(0, replaced.exitCode(), replaced.err());
        Path model = out.resolve("model");
        try (Stream<Path> steps = Files.list(model)) {
            assertEquals(
                    1,
                    steps.filter(p -> p.getFileName().toString().startsWith("step-"))
                            .count(),
                    "one model");
        }
        assertEquals(2 * 10, Checkpoints.load(model).progress().step(), "latest names the new run's model");
        assertFalse(
                java.util.Arrays.equals(
                        first, Files.readAllBytes(model.resolve(latest(model)).resolve("weights.safetensors"))),
                "the model is the new run's");
    }

    @Test
    void overwriteNeverDeletesWhatSaekitDidNotWrite() throws IOException {
        Path out = tmp.resolve("mine");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        CliRun run = CliRun.of(with("--out", out.toString(), "--overwrite"));
        assertEquals(SaekitCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("holds more than a saekit run (notes.txt)"), run.err());
        assertTrue(Files.exists(out.resolve("notes.txt")));
    }

    @Test
    void resumingACopiedRunWritesIntoTheCopyOnly() throws IOException {
        Path original = tmp.resolve("original");
        assertEquals(
                0,
                CliRun.of(with("--out", original.toString(), "--checkpoint-every", "5"))
                        .exitCode());
        Path copy = tmp.resolve("copy");
        copyTree(original, copy);
        List<String> before = listing(original);

        CliRun resumed = CliRun.of(
                "train",
                "--resume",
                copy.resolve("checkpoints").resolve("step-000000015").toString(),
                "--no-progress");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(before, listing(original), "the original run is untouched");
        assertTrue(resumed.out().contains("wrote " + copy.toAbsolutePath().resolve("metrics.json")), resumed.out());
    }

    @Test
    void aMissingOptimizerStateIsRefusedUnlessResetOnPurpose() throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(
                0,
                CliRun.of(with("--out", run.toString(), "--checkpoint-every", "5"))
                        .exitCode());
        Path step = run.resolve("checkpoints").resolve("step-000000015");
        Files.delete(step.resolve("optimizer.safetensors"));

        CliRun refused = CliRun.of("train", "--resume", step.toString(), "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, refused.exitCode());
        assertEquals(1, refused.errLines().size(), refused.err());
        assertTrue(
                refused.err().startsWith("saekit: error: " + step.resolve("optimizer.safetensors") + " is missing"),
                refused.err());

        CliRun reset = CliRun.of("train", "--resume", step.toString(), "--no-progress", "--reset-optimizer");
        assertEquals(0, reset.exitCode(), reset.err());
        assertTrue(reset.out().contains("Adam starts afresh (--reset-optimizer)"), reset.out());
    }

    private static String latest(Path root) throws IOException {
        return Files.readString(root.resolve("latest")).trim();
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.map(p -> dir.relativize(p)
                            + (Files.isRegularFile(p) ? " " + p.toFile().length() : ""))
                    .sorted()
                    .toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
