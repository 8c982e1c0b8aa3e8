package dev.saekit.golden;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays EVERY golden case ({@code *.json} or {@code *.json.gz}, except {@code manifest.json}) in
 * the directory named by the system property {@code saekit.golden.dir} (default: the repo's copy
 * in {@code src/test/resources/golden}). A case no replayer takes fails, as does any difference beyond
 * tolerance. Prints one line per case and the summary {@code golden: N passed, M failed}.
 */
class GoldenConformanceTest {
    private static final List<GoldenReplayer> REPLAYERS = List.of(
            new OvercompleteReplayer(),
            new TrainStepReplayer(),
            new MsaeReplayer(),
            new LossCaseReplayer(),
            new CoderReplayer());
    private static int passed;
    private static int failed;

    static Path goldenDir() {
        String dir = System.getProperty("saekit.golden.dir");
        return dir == null || dir.isBlank() ? Paths.get("src/test/resources/golden") : Paths.get(dir);
    }

    static List<Path> caseFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("saekit.golden.dir=" + dir.toAbsolutePath() + " is not a directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                        String n = p.getFileName().toString();
                        return (n.endsWith(".json") || n.endsWith(".json.gz")) && !n.startsWith("manifest.json");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenCase() throws IOException {
        List<Path> files = caseFiles(goldenDir());
        assertTrue(
                !files.isEmpty(),
                "no golden case (*.json, *.json.gz) in " + goldenDir().toAbsolutePath());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    private static void run(Path file) throws Exception {
        GoldenCase c = GoldenCase.read(file);
        GoldenReplayer replayer = null;
        String reason = null;
        for (GoldenReplayer r : REPLAYERS) {
            Optional<String> why = r.unsupported(c);
            if (why.isEmpty()) {
                replayer = r;
                break;
            }
            if (reason == null || why.get().contains("not implemented")) {
                reason = why.get();
            }
        }
        GoldenCheck check = new GoldenCheck(c.dtype());
        if (replayer == null) {
            check.fail("no replayer takes this case (" + reason + ")");
        }
        try {
            if (replayer != null) {
                replayer.replay(c, check);
            }
        } catch (RuntimeException e) {
            check.fail("replay threw " + e);
        }
        if (check.passed()) {
            passed++;
            System.out.printf(
                    Locale.ROOT,
                    "golden: OK   %-32s worst rel err %.2e (tol %.0e, %d checks)%n",
                    c.name(),
                    check.worst,
                    check.tolerance,
                    check.compared);
        } else {
            failed++;
            System.out.printf(Locale.ROOT, "golden: FAIL %-32s%n", c.name());
            check.failures.forEach(f -> System.out.println("        " + f));
        }
        assertTrue(
                check.passed(),
                () -> c.name() + " differs from the reference:\n  " + String.join("\n  ", check.failures));
    }

    @AfterAll
    static void summary() {
        System.out.printf(Locale.ROOT, "golden: %d passed, %d failed%n", passed, failed);
    }
}
