package dev.saekit.io.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reliability suite of the readers: the hostile corpus and {@value ReaderHarness#DEFAULT_CASES}
 * mutations per format ({@code -Dsaekit.fuzz.cases=N} to change), every case through every reader,
 * in a child JVM with a 256 MiB heap and capped native memory. It fails on any hang, any
 * out-of-memory error, any unexpected exception, and any corpus case that does not come out as it
 * should (a valid file refused, a hostile one accepted).
 */
class HostileFilesTest {

    @Test
    void theCorpusCoversEveryReaderWithOverAHundredAndFiftyFiles(@TempDir Path tmp) throws Exception {
        List<Case> cases = HostileFiles.write(tmp, HostileFiles.DEFAULT_SEED);
        assertTrue(cases.size() >= 150, cases.size() + " cases");
        Set<String> readers =
                cases.stream().map(k -> k.category().split(":")[0]).collect(Collectors.toSet());
        assertEquals(Set.of("npy", "npz", "safetensors", "idx", "idx.gz", "paths", "shards"), readers);
        for (Case k : cases) {
            assertTrue(
                    Files.exists(tmp.resolve(k.path()), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            || k.path().contains("*"),
                    k.path());
        }
        // seeded and deterministic: the same seed writes the same bytes
        Path again = Files.createDirectories(tmp.resolve("again"));
        HostileFiles.write(again, HostileFiles.DEFAULT_SEED);
        for (Case k : cases) {
            Path a = tmp.resolve(k.path());
            if (Files.isRegularFile(a) && Files.isReadable(a) && !k.path().startsWith("paths/")) {
                assertEquals(-1L, Files.mismatch(a, again.resolve(k.path())), k.path());
            }
        }
        Map<String, Long> byCategory =
                new TreeMap<>(cases.stream().collect(Collectors.groupingBy(Case::category, Collectors.counting())));
        System.out.println("hostile corpus: " + cases.size() + " cases " + byCategory);
    }

    @Test
    @Timeout(900)
    void everyReaderReadsOrClearlyRefusesEveryHostileAndFuzzedFile(@TempDir Path tmp) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dorg.bytedeco.javacpp.maxbytes=2g",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=3g",
                "-Djava.io.tmpdir=" + Files.createDirectories(tmp.resolve("scratch"))));
        for (String p :
                new String[] {ReaderHarness.CASES_PROPERTY, ReaderHarness.SEED_PROPERTY, ReaderHarness.TIMEOUT_PROPERTY
                }) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(
                List.of("-cp", System.getProperty("java.class.path"), ReaderHarness.class.getName(), tmp.toString()));
        Process child = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("harness.log").toFile())
                .start();
        boolean finished = child.waitFor(840, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly();
        }
        String log = Files.readString(tmp.resolve("harness.log"));
        String table = log.lines()
                .filter(l -> !l.contains("WARN") && !l.startsWith("SLF4J") && !l.contains("INFO"))
                .collect(Collectors.joining(System.lineSeparator()));
        System.out.println(table);
        assertTrue(finished, "the harness did not finish:" + File.separator + table);
        assertEquals(0, child.exitValue(), table);
        assertTrue(table.contains("PASSED"), table);
    }
}
