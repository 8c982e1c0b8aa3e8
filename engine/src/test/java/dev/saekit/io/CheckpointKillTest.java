package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.train.Adam;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingResult;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills ({@code kill -9}) a training process that saves a checkpoint every step, at several
 * moments, and checks each time that the newest complete checkpoint loads and training resumes.
 */
class CheckpointKillTest {

    @Test
    void aKilledRunLeavesALoadableCheckpointToResumeFrom(@TempDir Path root) throws Exception {
        long[] delaysMs = {150, 420, 777};
        long lastStep = -1;
        int midWrite = 0;
        for (long delay : delaysMs) {
            Process child = start(root);
            try {
                waitFor(root.resolve("latest"), 120);
                Thread.sleep(delay);
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
                child.waitFor(30, TimeUnit.SECONDS);
            }
            try (var left = Files.newDirectoryStream(root, ".step-*.tmp-*")) {
                midWrite += left.iterator().hasNext() ? 1 : 0; // the kill landed while a checkpoint was being written
            }
            Checkpoint c = Checkpoints.load(root);
            assertEquals(CheckpointCrashChild.SPEC, c.spec());
            assertTrue(c.progress().step() > 0);
            lastStep = c.progress().step();
            Trainer trainer = new Trainer(TrainingConfig.builder().epochs(c.progress().epoch() + 1).batchSize(32).build());
            c.restoreOptimizer((Adam) trainer.optimizer());
            TrainingResult rest = trainer.resume(c.model(), CheckpointCrashChild.DATA, c.progress());
            assertTrue(rest.completed(), "training resumes from step " + c.progress().step());
        }
        assertTrue(lastStep > 0);
        System.out.println("checkpoint kill test: " + midWrite + " of " + delaysMs.length + " kills landed while a checkpoint was being written");
        try (var dirs = Files.list(root)) {
            assertTrue(dirs.noneMatch(p -> p.getFileName().toString().startsWith("step-")
                    && !Files.exists(p.resolve("config.json"))), "every step directory is complete");
        }
    }

    private static Process start(Path root) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Dorg.bytedeco.javacpp.maxbytes=1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CheckpointCrashChild.class.getName());
        cmd.add(root.toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
    }

    private static void waitFor(Path file, int seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.exists(file)) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the child wrote no checkpoint in " + seconds + " s");
            }
            Thread.sleep(20);
        }
    }
}
