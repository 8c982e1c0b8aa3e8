package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saekit spark encode} and {@code saekit spark stats} read a harvest directory (three shards
 * of MiniLM token activations, the rows labelled by token) as their single-machine commands do, and
 * give the same codes and statistics byte for byte; the dashboard then shows the same rows.
 */
class SparkOnAHarvestTest {
    @TempDir
    static Path tmp;

    private static Path harvest;
    private static Path sae;

    @BeforeAll
    static void harvestAndTrain() {
        harvest = tmp.resolve("harvest");
        Map.Entry<Integer, String> h = SparkTrainCommandTest.run(
                "harvest",
                "--out",
                harvest.toString(),
                "--no-progress",
                "--threads",
                "1",
                "--tokens",
                "600",
                "--tap",
                "residual:3",
                "--rows-per-shard",
                "256");
        assertEquals(0, h.getKey(), h.getValue());
        sae = tmp.resolve("run");
        Map.Entry<Integer, String> trained = SparkTrainCommandTest.run(
                "train",
                "--data",
                harvest.toString(),
                "--variant",
                "topk",
                "--k",
                "8",
                "--concepts",
                "64",
                "--epochs",
                "1",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                sae.toString());
        assertEquals(0, trained.getKey(), trained.getValue());
    }

    @Test
    void encodingAHarvestGivesTheSingleMachineCodes() throws Exception {
        Path single = tmp.resolve("single.safetensors");
        Path cluster = tmp.resolve("cluster.safetensors");
        String[] options = {"--model", sae.toString(), "--data", harvest.toString(), "--sparse", "--batch-size", "100"};
        Map.Entry<Integer, String> one = SparkTrainCommandTest.run(
                concat(new String[] {"encode", "--no-progress", "--out", single.toString()}, options));
        assertEquals(0, one.getKey(), one.getValue());
        Map.Entry<Integer, String> spark = SparkTrainCommandTest.run(
                concat(new String[] {"spark", "encode", "--parts", "3", "--out", cluster.toString()}, options));
        assertEquals(0, spark.getKey(), spark.getValue());
        assertTrue(spark.getValue().contains("in 3 part(s)"), spark.getValue());
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(cluster));
    }

    @Test
    void scanningAHarvestGivesTheDashboardStatistics() throws Exception {
        Path single = tmp.resolve("single-site");
        Path cluster = tmp.resolve("cluster-site");
        String[] options = {
            "--sae", sae.toString(), "--data", harvest.toString(), "--batch-size", "64", "--segment-rows", "128"
        };
        Map.Entry<Integer, String> one = SparkTrainCommandTest.run(
                concat(new String[] {"dashboard", "--no-progress", "--out", single.toString()}, options));
        assertEquals(0, one.getKey(), one.getValue());
        Map.Entry<Integer, String> spark = SparkTrainCommandTest.run(
                concat(new String[] {"spark", "stats", "--parts", "3", "--out", cluster.toString()}, options));
        assertEquals(0, spark.getKey(), spark.getValue());
        assertArrayEquals(
                Files.readAllBytes(single.resolve("scan/statistics.bin")),
                Files.readAllBytes(cluster.resolve("scan/statistics.bin")));
        Map.Entry<Integer, String> site = SparkTrainCommandTest.run(
                concat(new String[] {"dashboard", "--no-progress", "--out", cluster.toString()}, options));
        assertEquals(0, site.getKey(), site.getValue());
        assertTrue(site.getValue().contains("(the saved scan was finished)"), site.getValue());
        // the contexts' values are encoded again from their token windows when the scan is found without its
        // codes (ConceptScan.writeFinished), in other batches, so they may differ in float32's last bits: compare
        // which rows each concept's pages show, which the statistics decide
        for (String page : List.of("data/00000.json", "data/00007.json", "data/00031.json")) {
            assertEquals(rows(single.resolve(page)), rows(cluster.resolve(page)), page);
        }
    }

    /** The rows a concept's page shows, in order. */
    private static List<String> rows(Path page) throws Exception {
        return Pattern.compile("\"row\":[0-9]+")
                .matcher(Files.readString(page))
                .results()
                .map(m -> m.group())
                .toList();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
