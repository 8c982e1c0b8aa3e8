package dev.saekit.io.hostile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hostile-file corpus: well over 150 files, seeded and deterministic, that exercise every
 * reader ({@code .npy} headers of the three versions, {@code .npz} structure and members, zip bombs,
 * safetensors headers, IDX plain and gzip streams) and every kind of path (FIFOs, sockets, devices,
 * links, directories and globs of shards). Each file is a {@link Case} with its category and what
 * the readers must make of it; {@code manifest.tsv} lists them for the command-line harness
 * ({@code dev/reliability/cli-hostile-check}).
 *
 * <p>Run {@code main DIR [SEED]} to write the corpus into DIR (see {@code dev/reliability/hostile-files}).
 */
public final class HostileFiles {
    /** The seed of the corpus written by {@link #main} without one. */
    public static final long DEFAULT_SEED = 20_240_701L;

    private HostileFiles() {}

    /** Writes the corpus into {@code dir} (which should be empty) and returns its cases; also writes {@code dir/manifest.tsv}. */
    public static List<Case> write(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        Corpus c = new Corpus(dir, seed);
        NpyCases.write(c);
        NpzCases.write(c);
        SafetensorsCases.write(c);
        IdxCases.write(c);
        PathCases.write(c);
        List<Case> cases = c.cases();
        List<String> lines = new ArrayList<>();
        lines.add("# path\tcategory\texpect\toptions");
        cases.forEach(k -> lines.add(k.manifestLine()));
        Files.write(dir.resolve("manifest.tsv"), lines, StandardCharsets.UTF_8);
        return cases;
    }

    /** Writes the corpus into {@code args[0]} with seed {@code args[1]} (default {@value #DEFAULT_SEED}) and prints a summary. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: HostileFiles DIR [SEED]");
            System.exit(2);
        }
        List<Case> cases =
                write(Path.of(args[0]), args.length > 1 && !args[1].isBlank() ? Long.parseLong(args[1]) : DEFAULT_SEED);
        Map<String, Integer> byCategory = new TreeMap<>();
        cases.forEach(k -> byCategory.merge(k.category(), 1, Integer::sum));
        byCategory.forEach((k, n) -> System.out.printf("%4d  %s%n", n, k));
        System.out.println(cases.size() + " cases written to " + args[0] + " (manifest.tsv lists them)");
    }
}
