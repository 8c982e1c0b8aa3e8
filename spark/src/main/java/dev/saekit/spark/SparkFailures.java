package dev.saekit.spark;

import dev.saekit.cli.CliException;
import dev.saekit.cli.SaekitCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;

/**
 * A failed Spark job as one line for the user: what failed (the worker's own message when there is
 * one, found in Spark's report), and what to do next.
 */
final class SparkFailures {
    private SparkFailures() {}

    /** The failure of a training job whose run directory is {@code out}. */
    static CliException training(RuntimeException e, Path out) {
        String cause = cause(e);
        Optional<Path> last = lastCheckpoint(out.resolve("checkpoints"));
        String next = last.isPresent()
                ? "; the last checkpoint is " + last.get() + ": continue the run with saekit spark train --resume "
                        + out.resolve("checkpoints") + " --out DIR (and the same --master)"
                : "; no checkpoint was saved (--checkpoint-every N saves them), so the run starts over";
        return new CliException(SaekitCli.EXIT_INPUT, "training on the cluster failed: " + cause + next);
    }

    /** The most telling message in {@code e}: a worker's own (an all-reduce, a data file), else Spark's first line. */
    static String cause(Throwable e) {
        String best = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            for (String marker : new String[] {"CollectiveException: ", "all-reduce failed", "IOException: "}) {
                int at = m.indexOf(marker);
                if (at >= 0) {
                    String line = m.substring(at).split("\n", 2)[0];
                    return line.startsWith("CollectiveException: ")
                            ? line.substring("CollectiveException: ".length())
                            : line;
                }
            }
            if (m.contains("ExecutorLostFailure") || m.contains("executor lost") || m.contains("Executor lost")) {
                best = "an executor was lost (" + firstLine(m) + ")";
            }
            if (best == null) {
                best = firstLine(m);
            }
        }
        return best;
    }

    private static String firstLine(String m) {
        String line = m.split("\n", 2)[0];
        return line.length() > 600 ? line.substring(0, 600) + "..." : line;
    }

    private static Optional<Path> lastCheckpoint(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (var list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .filter(Files::isDirectory)
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
