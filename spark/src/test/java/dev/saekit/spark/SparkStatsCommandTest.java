package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saekit spark stats} on {@code local[2]} saves the very statistics that {@code saekit
 * dashboard}'s own scan saves with the same options (the embedded words, labelled by word: sums,
 * top rows, samples and label counts), and {@code saekit dashboard} then writes the site from them
 * without scanning; a second {@code spark stats} into the same --out reuses that finished scan
 * without starting Spark, and one with other settings is refused as the dashboard refuses it, unless
 * --overwrite.
 */
class SparkStatsCommandTest {
    private static final String[] OPTIONS = {"--batch-size", "256", "--segment-rows", "1024"};

    private static Map.Entry<Integer, String> run(Stream<String> head, Path sae, Path out) {
        return SparkTrainCommandTest.run(
                Stream.of(head, Stream.of("--sae", sae.toString(), "--out", out.toString()), Stream.of(OPTIONS))
                        .flatMap(s -> s)
                        .toArray(String[]::new));
    }

    /** A TopK SAE of 48 concepts trained on the embedded data into {@code run}. */
    private static Path trainSae(Path run) {
        Map.Entry<Integer, String> trained = SparkTrainCommandTest.run(
                "train",
                "--variant",
                "topk",
                "--k",
                "4",
                "--concepts",
                "48",
                "--epochs",
                "1",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                run.toString());
        assertEquals(0, trained.getKey(), trained.getValue());
        return run;
    }

    @Test
    void theClusterScanIsTheDashboardScanByteForByteAndTheDashboardUsesIt(@TempDir Path tmp) throws Exception {
        Path sae = trainSae(tmp.resolve("run"));
        Path single = tmp.resolve("single");
        Path cluster = tmp.resolve("cluster");
        Map.Entry<Integer, String> one = run(Stream.of("dashboard", "--no-progress"), sae, single);
        assertEquals(0, one.getKey(), one.getValue());
        Map.Entry<Integer, String> spark =
                run(Stream.of("spark", "stats", "--master", "local[2]", "--parts", "4"), sae, cluster);
        assertEquals(0, spark.getKey(), spark.getValue());
        assertTrue(spark.getValue().contains("10,000 rows in 4 part(s) of whole 1,024-row segments"), spark.getValue());
        assertTrue(
                spark.getValue().matches("(?s).*scanned   10,000 rows x 48 concepts in [0-9.]+ s on the cluster .*"),
                spark.getValue());
        assertArrayEquals(
                Files.readAllBytes(single.resolve("scan/statistics.bin")),
                Files.readAllBytes(cluster.resolve("scan/statistics.bin")));
        assertEquals(
                Files.readString(single.resolve("scan/scan.json")),
                Files.readString(cluster.resolve("scan/scan.json")));

        Map.Entry<Integer, String> site = run(Stream.of("dashboard", "--no-progress"), sae, cluster);
        assertEquals(0, site.getKey(), site.getValue());
        assertTrue(site.getValue().contains("(the saved scan was finished)"), site.getValue());
        assertTrue(site.getValue().contains("wrote     " + cluster.resolve("index.html")), site.getValue());
        assertArrayEquals(
                Files.readAllBytes(single.resolve("data/00000.json")),
                Files.readAllBytes(cluster.resolve("data/00000.json")));
    }

    @Test
    void aFinishedScanWithTheSameSettingsIsReusedAndOtherSettingsAreRefusedUnlessOverwrite(@TempDir Path tmp)
            throws Exception {
        Path sae = trainSae(tmp.resolve("run"));
        Path out = tmp.resolve("site");
        Path statistics = out.resolve("scan/statistics.bin");
        Stream<String> stats = Stream.of("spark", "stats", "--master", "local[2]", "--parts", "2");

        Map.Entry<Integer, String> first = run(stats, sae, out);
        assertEquals(0, first.getKey(), first.getValue());
        assertTrue(first.getValue().contains("part(s) of whole 1,024-row segments"), first.getValue());
        byte[] bytes = Files.readAllBytes(statistics);
        String record = Files.readString(out.resolve("scan/scan.json"));
        FileTime written = FileTime.fromMillis(0);
        Files.setLastModifiedTime(statistics, written); // a rewrite, however soon, shows

        Map.Entry<Integer, String> again =
                run(Stream.of("spark", "stats", "--master", "local[2]", "--parts", "2"), sae, out);
        assertEquals(0, again.getKey(), again.getValue());
        assertTrue(
                again.getValue()
                        .contains("reused    " + statistics
                                + ": the finished scan of the same SAE, 10,000 rows, settings and segment rows"),
                again.getValue());
        assertFalse(again.getValue().contains("part(s)"), again.getValue());
        assertFalse(again.getValue().contains("scanned"), again.getValue());
        assertEquals(written, Files.getLastModifiedTime(statistics));
        assertArrayEquals(bytes, Files.readAllBytes(statistics));
        assertEquals(record, Files.readString(out.resolve("scan/scan.json")));

        Map.Entry<Integer, String> otherTop =
                run(Stream.of("spark", "stats", "--master", "local[2]", "--parts", "2", "--top", "5"), sae, out);
        assertEquals(1, otherTop.getKey(), otherTop.getValue());
        assertTrue(otherTop.getValue().contains("holds statistics kept with other settings"), otherTop.getValue());
        assertTrue(otherTop.getValue().contains("(or give --overwrite)"), otherTop.getValue());
        assertFalse(otherTop.getValue().contains("reused"), otherTop.getValue());
        assertEquals(written, Files.getLastModifiedTime(statistics));

        Map.Entry<Integer, String> otherSegments = SparkTrainCommandTest.run(
                "spark",
                "stats",
                "--master",
                "local[2]",
                "--sae",
                sae.toString(),
                "--out",
                out.toString(),
                "--batch-size",
                "256",
                "--segment-rows",
                "512");
        assertEquals(1, otherSegments.getKey(), otherSegments.getValue());
        assertTrue(
                otherSegments.getValue().contains("holds a scan of another segment rows (1024, now 512)"),
                otherSegments.getValue());
        assertEquals(written, Files.getLastModifiedTime(statistics));

        Map.Entry<Integer, String> overwritten = run(
                Stream.of("spark", "stats", "--master", "local[2]", "--parts", "2", "--top", "5", "--overwrite"),
                sae,
                out);
        assertEquals(0, overwritten.getKey(), overwritten.getValue());
        assertTrue(
                overwritten
                        .getValue()
                        .matches("(?s).*scanned   10,000 rows x 48 concepts in [0-9.]+ s on the cluster .*"),
                overwritten.getValue());
        assertFalse(overwritten.getValue().contains("reused"), overwritten.getValue());
        assertFalse(java.util.Arrays.equals(bytes, Files.readAllBytes(statistics)));

        Map.Entry<Integer, String> site = run(Stream.of("dashboard", "--no-progress", "--top", "5"), sae, out);
        assertEquals(0, site.getKey(), site.getValue());
        assertTrue(site.getValue().contains("(the saved scan was finished)"), site.getValue());
    }
}
