package dev.saekit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The directory of a run ({@code train --out}): what may be written there, and where a resumed
 * run writes. A run's entries are {@code metrics.json}, {@code history/}, {@code model/} and
 * {@code checkpoints/}; a new run never mixes its files with another's.
 */
final class RunDirectory {
    /** What a run writes into its directory. */
    static final Set<String> ENTRIES =
            Set.of("metrics.json", "history", "model", "checkpoints", "spark.json", ".spark");

    private RunDirectory() {}

    /**
     * Makes {@code out} ready for a new run: a new or empty directory is; one that holds a run is
     * refused, unless {@code overwrite}, which deletes that run's entries; one that holds anything
     * else is refused either way (saekit deletes only what it wrote).
     */
    static void prepare(Path out, boolean overwrite) throws CliException, IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE, "--out " + out + " is a file; give a directory (new or empty)");
        }
        List<String> names;
        try (Stream<Path> entries = Files.list(out)) {
            names = entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (names.isEmpty()) {
            return;
        }
        List<String> foreign = names.stream().filter(n -> !ENTRIES.contains(n)).toList();
        if (!foreign.isEmpty()) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--out " + out + " is not empty and holds more than a saekit run (" + shortList(foreign)
                            + "); give a new or empty directory");
        }
        if (!overwrite) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--out " + out + " already holds a run (" + shortList(names)
                            + "); give --overwrite to replace it, --resume " + out.resolve("checkpoints")
                            + " to continue it"
                            + " (if it saved checkpoints), or a new --out");
        }
        for (String name : names) {
            deleteTree(out.resolve(name));
        }
    }

    /**
     * The run a checkpoint belongs to: the directory holding its checkpoint root
     * ({@code RUN/checkpoints/step-N} or {@code RUN/model/step-N}).
     */
    static Path ofCheckpoint(Path stepDir) {
        Path root = stepDir.toAbsolutePath().normalize().getParent();
        Path run = root == null ? null : root.getParent();
        return run == null ? Path.of(".").toAbsolutePath().normalize() : run;
    }

    private static String shortList(List<String> names) {
        return names.size() <= 4
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 4)) + ", ... " + names.size() + " in all";
    }

    /** Deletes {@code p} and everything under it. */
    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
