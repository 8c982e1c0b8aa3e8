package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saekit spark stats} on {@code local[2]} saves the very statistics that {@code saekit
 * dashboard}'s own scan saves with the same options (the embedded words, labelled by word: sums,
 * top rows, samples and label counts), and {@code saekit dashboard} then writes the site from them
 * without scanning.
 */
class SparkStatsCommandTest {
    private static final String[] OPTIONS = {"--batch-size", "256", "--segment-rows", "1024"};

    private static Map.Entry<Integer, String> run(Stream<String> head, Path sae, Path out) {
        return SparkTrainCommandTest.run(
                Stream.of(head, Stream.of("--sae", sae.toString(), "--out", out.toString()), Stream.of(OPTIONS))
                        .flatMap(s -> s)
                        .toArray(String[]::new));
    }

    @Test
    void theClusterScanIsTheDashboardScanByteForByteAndTheDashboardUsesIt(@TempDir Path tmp) throws Exception {
        Path sae = tmp.resolve("run");
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
                sae.toString());
        assertEquals(0, trained.getKey(), trained.getValue());
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
}
