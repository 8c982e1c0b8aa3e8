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
    static CliException training(Exception e, Path out) {
        String cause = cause(e);
        Optional<Path> last = lastCheckpoint(out.resolve("checkpoints"));
        String next = last.isPresent()
                ? "; the last checkpoint is " + last.get() + ": continue the run with saekit spark train --resume "
                        + out.resolve("checkpoints") + " --out DIR (and the same --master)"
                : "; no checkpoint was saved (--checkpoint-every N saves them), so the run starts over";
        return new CliException(SaekitCli.EXIT_INPUT, "training on the cluster failed: " + cause + next);
    }

    /**
     * The most telling message in {@code e}: the failed task's own exception, which Spark's report
     * prints after "Most recent failure reason" (a worker's data error, its lost neighbour), else
     * Spark's first line.
     */
    static String cause(Throwable e) {
        java.io.StringWriter text = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(text));
        String[] lines = text.toString().split("\\R");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].contains("Most recent failure reason")) {
                continue;
            }
            for (int j = i + 1; j < lines.length; j++) {
                String line = lines[j];
                if (line.isBlank() || Character.isWhitespace(line.charAt(0)) || line.startsWith("Caused by")) {
                    continue;
                }
                int colon = line.indexOf(": ");
                String message =
                        colon > 0 && !line.substring(0, colon).contains(" ") ? line.substring(colon + 2) : line;
                return message.length() > 600 ? message.substring(0, 600) + "..." : message;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("ExecutorLostFailure") || m.contains("xecutor lost")) {
                return "an executor was lost (" + firstLine(m) + ")";
            }
        }
        return firstLine(String.valueOf(e.getMessage()));
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
