package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Checkpoints.SavePoint;
import dev.saekit.train.Adam;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingResult;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kills ({@code SIGKILL}) a training process that saves a checkpoint every step while it is held
 * at a named point inside {@link Checkpoints#save} (see {@link CheckpointCrashChild}), so every kill
 * provably lands mid-save, then checks what a crash there must leave: the kill's traces where that
 * point says they are, only complete step directories, a {@code latest} that names a complete one
 * (or none, and loading falls back to the newest complete one), the expected checkpoint loading,
 * and training resuming from it into the same directory.
 */
class CheckpointKillTest {

    static Stream<Arguments> savePoints() {
        return Stream.of(
                Arguments.of(SavePoint.WEIGHTS_WRITTEN, 4),
                Arguments.of(SavePoint.BEFORE_DIRECTORY_RENAME, 4),
                Arguments.of(SavePoint.BEFORE_LATEST_REPLACED, 4),
                Arguments.of(SavePoint.BEFORE_LATEST_REPLACED, 1), // no latest yet: loading falls back
                Arguments.of(SavePoint.BEFORE_PRUNE, 5));
    }

    @ParameterizedTest(name = "killed at {0} of save {1}")
    @MethodSource("savePoints")
    void aRunKilledMidSaveLeavesACheckpointToResumeFrom(SavePoint point, int save, @TempDir Path dir) throws Exception {
        Path root = dir.resolve("checkpoints");
        Path marker = dir.resolve("paused");
        killWhenPaused(root, point, save, marker, false);

        String mid = String.format("step-%09d", save);
        String previous = String.format("step-%09d", save - 1);
        List<Path> tmp = hidden(root);
        switch (point) {
            case WEIGHTS_WRITTEN, BEFORE_DIRECTORY_RENAME -> {
                assertEquals(1, tmp.size(), "the interrupted save's temporary directory: " + tmp);
                assertTrue(Files.exists(tmp.get(0).resolve(Checkpoints.WEIGHTS)), "its weights are written");
                assertEquals(
                        point == SavePoint.BEFORE_DIRECTORY_RENAME,
                        Files.exists(tmp.get(0).resolve(Checkpoints.CONFIG)),
                        "its config.json is written only once the directory is complete");
                assertFalse(Files.exists(root.resolve(mid)), mid + " is not in place");
                assertEquals(previous, latest(root));
            }
            case BEFORE_LATEST_REPLACED -> {
                assertEquals(List.of(), tmp);
                assertTrue(Files.isDirectory(root.resolve(mid)), mid + " is in place");
                assertEquals(save == 1 ? null : previous, latest(root), "latest still names the previous checkpoint");
            }
            case BEFORE_PRUNE -> {
                assertEquals(mid, latest(root));
                assertEquals(
                        CheckpointCrashChild.KEEP + 1,
                        Checkpoints.completeCheckpoints(root).size(),
                        "the oldest checkpoint is not yet deleted");
            }
            default -> throw new AssertionError("no expectation for " + point);
        }

        // latest is followed when it names a complete checkpoint; without it, the newest complete one loads
        assertRecoverable(root, latest(root) != null ? latest(root) : mid);
    }

    @Test
    void aRunKilledWhileSavingAgainTheStepThatLatestNamesFallsBackToTheNewestCompleteOne(@TempDir Path dir)
            throws Exception {
        Path root = dir.resolve("checkpoints");
        killWhenPaused(root, SavePoint.BEFORE_PRUNE, 4, dir.resolve("first"), false);
        String four = String.format("step-%09d", 4);
        assertEquals(four, latest(root));

        killWhenPaused(root, SavePoint.OLD_STEP_MOVED_ASIDE, 1, dir.resolve("second"), true);
        assertFalse(
                Files.exists(root.resolve(four)),
                "the old copy of " + four + " is moved aside, the new one not yet in");
        List<Path> hidden = hidden(root);
        assertEquals(2, hidden.size(), "the new copy and the old one, both hidden: " + hidden);
        for (Path copy : hidden) {
            assertTrue(
                    Files.isRegularFile(copy.resolve(Checkpoints.WEIGHTS))
                            && Files.isRegularFile(copy.resolve(Checkpoints.CONFIG)),
                    copy + " is whole: a step is moved, never deleted file by file while visible");
        }
        assertEquals(four, latest(root), "latest names a step that is not there");
        assertRecoverable(root, String.format("step-%09d", 3));
    }

    /**
     * Every step directory is complete and loads, the checkpoint {@code expected} is the one that
     * loads from the root, and training resumes from it into the same root, whose next saves clear
     * every interrupted save's leftovers.
     */
    private static void assertRecoverable(Path root, String expected) throws Exception {
        for (Path step : Checkpoints.completeCheckpoints(root)) {
            assertTrue(Files.isRegularFile(step.resolve(Checkpoints.WEIGHTS)), step + " has its weights");
            assertEquals(CheckpointCrashChild.SPEC, Checkpoints.load(step).spec(), step + " loads");
        }
        try (Stream<Path> all = Files.list(root)) {
            assertTrue(
                    all.filter(p -> p.getFileName().toString().startsWith("step-"))
                            .allMatch(p -> Files.isRegularFile(p.resolve(Checkpoints.CONFIG))),
                    "every step directory is complete");
        }
        Checkpoint c = Checkpoints.load(root);
        assertEquals(root.resolve(expected), c.dir(), "the checkpoint that loads");
        assertEquals(CheckpointCrashChild.SPEC, c.spec());

        Trainer trainer = new Trainer(
                TrainingConfig.builder()
                        .epochs(c.progress().epoch() + 1)
                        .batchSize(32)
                        .build(),
                CheckpointListener.builder(root)
                        .every(1)
                        .keep(CheckpointCrashChild.KEEP)
                        .runId(c.runId())
                        .build()); // the same run goes on
        c.restoreOptimizer((Adam) trainer.optimizer());
        TrainingResult rest = trainer.resume(c.model(), CheckpointCrashChild.DATA, c.progress());
        assertTrue(
                rest.completed(), "training resumes from step " + c.progress().step());
        assertEquals(List.of(), hidden(root), "the next saves clear the interrupted save's leftovers");
        assertEquals(
                CheckpointCrashChild.KEEP, Checkpoints.completeCheckpoints(root).size());
        assertTrue(
                Checkpoints.load(root).progress().step() > c.progress().step(), "training went on from the checkpoint");
    }

    /**
     * Runs the child (training, or saving the latest checkpoint again when {@code resave}) until it
     * is held at {@code point} of its {@code save}-th save, then kills it.
     */
    private static void killWhenPaused(Path root, SavePoint point, int save, Path marker, boolean resave)
            throws Exception {
        Process child = start(root, point, save, marker, resave);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(marker)) {
                assertTrue(
                        child.isAlive(),
                        "the child exited with " + (child.isAlive() ? "" : child.exitValue()) + " before reaching "
                                + point + " of save " + save);
                assertTrue(
                        System.nanoTime() < until,
                        "the child did not reach " + point + " of save " + save + " in 120 s");
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child is gone");
        }
        assertEquals(128 + 9, child.exitValue(), "the child died of SIGKILL while held at " + point);
    }

    private static Process start(Path root, SavePoint point, int save, Path marker, boolean resave) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Dorg.bytedeco.javacpp.maxbytes=1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CheckpointCrashChild.class.getName());
        cmd.add(root.toString());
        cmd.add(point.name());
        cmd.add(Integer.toString(save));
        cmd.add(marker.toString());
        if (resave) {
            cmd.add("resave");
        }
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(new File("/dev/null"))
                .start();
    }

    /** The temporary directories of interrupted saves. */
    private static List<Path> hidden(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(root, ".step-*.tmp-*")) {
            s.forEach(out::add);
        }
        return out;
    }

    /** The checkpoint that {@code latest} names, or null when there is no {@code latest}. */
    private static String latest(Path root) throws IOException {
        Path latest = root.resolve(Checkpoints.LATEST);
        return Files.exists(latest)
                ? Files.readString(latest, StandardCharsets.UTF_8).trim()
                : null;
    }
}
