package dev.saekit.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kotlin DSL samples run to the end, briefly, and print what their README lines promise. */
class DslSamplesTest {

    private interface Main {
        void run() throws Exception;
    }

    private static String stdout(Main main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        original.print(out);
        return out;
    }

    private static double r2(String out) {
        Matcher m = Pattern.compile("metrics +r2 (\\d\\.\\d+)").matcher(out);
        assertTrue(m.find(), "no r2 in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theQuickStartTrainsAndListsConceptsAsWords() throws Exception {
        String out = stdout(() -> QuickStartKt.main(new String[] {"2"}));
        assertTrue(r2(out) > 0.3, out);
        assertTrue(out.contains("L0 16.00"), out);
        assertTrue(out.contains("concept ") && out.contains("fires on"), out);
    }

    @Test
    void theComparisonTrainsEveryKVariantAtTheSameL0() throws Exception {
        String out = stdout(() -> CompareVariantsKt.main(new String[] {"1"}));
        for (String v :
                new String[] {"topK", "batchTopK", "matryoshka", "msae", "matchingPursuit", "orthogonalMatchingPursuit"
                }) {
            Matcher m = Pattern.compile("(?m)^" + v + " +(\\d\\.\\d+) +\\d\\.\\d+ +(\\d+\\.\\d+)")
                    .matcher(out);
            assertTrue(m.find(), v + " missing in:\n" + out);
            assertTrue(Double.parseDouble(m.group(1)) > 0.1, v + ": " + m.group());
            assertTrue(Math.abs(Double.parseDouble(m.group(2)) - 16) < 2, v + " L0: " + m.group());
        }
    }

    @Test
    void shardsStreamFromADirectoryAndTheModelIsSaved(@TempDir Path dir) throws Exception {
        String out = stdout(() -> TrainFromShardsKt.main(new String[0]));
        assertTrue(out.contains("(5 .npy shards): 10000 rows x 100"), out);
        assertTrue(r2(out) > 0.3, out);
        Path shardDir = Path.of(
                out.substring(out.indexOf("into ") + 5, out.indexOf('\n')).trim());
        stdout(() -> TrainFromShardsKt.main(
                new String[] {shardDir.toString(), dir.resolve("model").toString()}));
        assertTrue(Files.isRegularFile(dir.resolve("model").resolve("latest")), "saved checkpoint root");
    }
}
