package dev.saekit.io.hostile;

import dev.saekit.io.Fuzzing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The reliability run of the readers: the hostile corpus ({@link HostileFiles}), then
 * {@value #CASES_PROPERTY} (default {@value #DEFAULT_CASES}) seeded mutations per format
 * ({@link FuzzSeeds}, {@link Fuzzing#mutate}), each run through every reader ({@link ReaderRun})
 * with a timeout, in a JVM whose heap the caller bounds ({@code -Xmx}). It prints a summary table
 * (cases, read fine, clear errors, hangs, out of memory, unexpected exceptions, corpus cases not
 * as expected) and the first failures, writes {@code results.tsv}, and exits 0 only if there was
 * no hang, no out-of-memory error, no unexpected exception and every corpus case came out as its
 * expectation says.
 *
 * <p>{@code main WORKDIR}: the corpus and the fuzzed files go under WORKDIR.
 */
public final class ReaderHarness {
    /** System property: mutations per format. */
    public static final String CASES_PROPERTY = "saekit.fuzz.cases";
    /** System property: the seed of the mutations. */
    public static final String SEED_PROPERTY = "saekit.fuzz.seed";
    /** System property: the timeout of one case, in milliseconds. */
    public static final String TIMEOUT_PROPERTY = "saekit.fuzz.timeout.ms";

    static final int DEFAULT_CASES = 1000;

    private ReaderHarness() {}

    /** Counts per group, in the order of the summary's columns. */
    private static final class Tally {
        final EnumMap<ReaderRun.Outcome, Integer> outcomes = new EnumMap<>(ReaderRun.Outcome.class);
        int cases;
        int mismatched;

        void add(ReaderRun.Outcome o) {
            cases++;
            outcomes.merge(o, 1, Integer::sum);
        }

        int get(ReaderRun.Outcome o) {
            return outcomes.getOrDefault(o, 0);
        }
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args[0]);
        int perFormat = Integer.getInteger(CASES_PROPERTY, DEFAULT_CASES);
        long seed = Long.getLong(SEED_PROPERTY, 20_240_702L);
        long timeout = Long.getLong(TIMEOUT_PROPERTY, 20_000L);
        long start = System.nanoTime();
        Map<String, Tally> tallies = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        List<String> results = new ArrayList<>(List.of("group\tcase\toutcome\tstep\texpected\tdetail"));
        try (ReaderRun runner = new ReaderRun(timeout)) {
            Path corpusDir = work.resolve("corpus");
            List<Case> cases = HostileFiles.write(corpusDir, HostileFiles.DEFAULT_SEED);
            Tally corpus = tallies.computeIfAbsent("corpus", k -> new Tally());
            for (Case k : cases) {
                String location = corpusDir.resolve(k.path()).toString();
                ReaderRun.Result r = runner.run(location, k.name(), k.rowAxes());
                corpus.add(r.outcome());
                boolean asExpected = asExpected(k, r);
                if (!asExpected) {
                    corpus.mismatched++;
                }
                record(
                        results,
                        failures,
                        "corpus",
                        k.path() + " [" + k.category() + "]",
                        r,
                        asExpected ? "" : "NOT " + k.expect());
            }
            Path fuzzDir = Files.createDirectories(work.resolve("fuzz"));
            for (FuzzSeeds f : FuzzSeeds.all()) {
                Tally t = tallies.computeIfAbsent("fuzz " + f.format(), k -> new Tally());
                SplittableRandom random = new SplittableRandom(seed ^ f.format().hashCode());
                Path file = fuzzDir.resolve("fuzz" + f.extension());
                for (int i = 0; i < perFormat; i++) {
                    byte[] bytes = Fuzzing.mutate(
                            f.seeds().get(i % f.seeds().size()), random, f.headerBytes(), f.interesting());
                    Files.write(file, bytes);
                    ReaderRun.Result r = runner.run(file.toString(), null, 1);
                    t.add(r.outcome());
                    record(results, failures, "fuzz " + f.format(), "case " + i + " (seed " + seed + ")", r, "");
                }
            }
        }
        Files.write(work.resolve("results.tsv"), results, StandardCharsets.UTF_8);
        double seconds = (System.nanoTime() - start) / 1e9;
        boolean ok = print(tallies, failures, seconds, perFormat);
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    /** Whether a corpus case came out as its expectation says. */
    static boolean asExpected(Case k, ReaderRun.Result r) {
        if (r.outcome() == ReaderRun.Outcome.HANG
                || r.outcome() == ReaderRun.Outcome.OUT_OF_MEMORY
                || r.outcome() == ReaderRun.Outcome.UNEXPECTED) {
            return false;
        }
        switch (k.expect()) {
            case VALID:
                return r.outcome() == ReaderRun.Outcome.READ_FINE
                        || k.category().contains("not streamed") && r.step().equals("stream");
            case BAD_VALUES:
                return r.outcome() == ReaderRun.Outcome.CLEAR_ERROR && !r.refusedEarly();
            case REFUSED:
                return r.refusedEarly();
            default:
                return true;
        }
    }

    private static void record(
            List<String> results,
            List<String> failures,
            String group,
            String name,
            ReaderRun.Result r,
            String mismatch) {
        results.add(group + "\t" + name + "\t" + r.outcome() + "\t" + r.step() + "\t" + mismatch + "\t" + r.detail());
        boolean bad = !mismatch.isEmpty()
                || r.outcome() == ReaderRun.Outcome.HANG
                || r.outcome() == ReaderRun.Outcome.OUT_OF_MEMORY
                || r.outcome() == ReaderRun.Outcome.UNEXPECTED;
        if (bad && failures.size() < 40) {
            failures.add(group + " " + name + ": " + r.outcome() + " at " + r.step()
                    + (mismatch.isEmpty() ? "" : ", " + mismatch) + ": " + r.detail());
        }
    }

    /** Prints the table and the first failures; true if the run passed. */
    private static boolean print(Map<String, Tally> tallies, List<String> failures, double seconds, int perFormat) {
        String row = "%-18s %7s %10s %13s %6s %14s %11s %16s%n";
        System.out.println(
                "reliability of the data readers: every case read by open, statistics, read, load, stream and scan");
        System.out.printf(
                Locale.ROOT,
                row,
                "group",
                "cases",
                "read fine",
                "clear errors",
                "hangs",
                "out of memory",
                "unexpected",
                "not as expected");
        Tally total = new Tally();
        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            System.out.printf(
                    Locale.ROOT,
                    row,
                    e.getKey(),
                    t.cases,
                    t.get(ReaderRun.Outcome.READ_FINE),
                    t.get(ReaderRun.Outcome.CLEAR_ERROR),
                    t.get(ReaderRun.Outcome.HANG),
                    t.get(ReaderRun.Outcome.OUT_OF_MEMORY),
                    t.get(ReaderRun.Outcome.UNEXPECTED),
                    t.mismatched);
            total.cases += t.cases;
            total.mismatched += t.mismatched;
            t.outcomes.forEach((o, n) -> total.outcomes.merge(o, n, Integer::sum));
        }
        System.out.printf(
                Locale.ROOT,
                row,
                "total",
                total.cases,
                total.get(ReaderRun.Outcome.READ_FINE),
                total.get(ReaderRun.Outcome.CLEAR_ERROR),
                total.get(ReaderRun.Outcome.HANG),
                total.get(ReaderRun.Outcome.OUT_OF_MEMORY),
                total.get(ReaderRun.Outcome.UNEXPECTED),
                total.mismatched);
        System.out.printf(
                Locale.ROOT,
                "%d mutations per format; wall time %.1f s; heap limit %d MiB%n",
                perFormat,
                seconds,
                Runtime.getRuntime().maxMemory() >> 20);
        failures.forEach(f -> System.out.println("FAILURE " + f));
        boolean ok = total.get(ReaderRun.Outcome.HANG) == 0
                && total.get(ReaderRun.Outcome.OUT_OF_MEMORY) == 0
                && total.get(ReaderRun.Outcome.UNEXPECTED) == 0
                && total.mismatched == 0;
        System.out.println(ok ? "PASSED" : "FAILED");
        return ok;
    }
}
