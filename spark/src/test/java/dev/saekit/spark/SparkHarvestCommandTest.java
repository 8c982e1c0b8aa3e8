package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saekit spark harvest} on {@code local[2]} writes the very files {@code saekit harvest}
 * writes with the same options, and a rerun computes nothing again.
 */
class SparkHarvestCommandTest {
    private static final String[] OPTIONS = {
        "--tokens", "2500", "--rows-per-shard", "512", "--max-length", "32", "--batch", "16", "--no-progress"
    };

    static String[] command(String first, Path out, String... more) {
        Stream<String> head = first.equals("harvest") ? Stream.of("harvest") : Stream.of("spark", "harvest");
        return Stream.of(head, Stream.of("--out", out.toString()), Stream.of(OPTIONS), Stream.of(more))
                .flatMap(s -> s)
                .toArray(String[]::new);
    }

    /** Every file under {@code dir}, by relative path. */
    static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .map(dir::relativize)
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theClusterHarvestIsTheSingleMachineHarvestByteForByte(@TempDir Path tmp) throws Exception {
        Path single = tmp.resolve("single");
        Path cluster = tmp.resolve("cluster");
        Map.Entry<Integer, String> one = SparkTrainCommandTest.run(command("harvest", single));
        assertEquals(0, one.getKey(), one.getValue());
        Map.Entry<Integer, String> spark =
                SparkTrainCommandTest.run(command("spark", cluster, "--master", "local[2]", "--parts", "3"));
        assertEquals(0, spark.getKey(), spark.getValue());
        assertTrue(spark.getValue().contains("in 3 part(s)"), spark.getValue());
        List<Path> expected = files(single);
        assertEquals(expected, files(cluster));
        assertTrue(expected.size() > 8, "files: " + expected);
        for (Path f : expected) {
            assertArrayEquals(
                    Files.readAllBytes(single.resolve(f)), Files.readAllBytes(cluster.resolve(f)), f.toString());
        }
        Map.Entry<Integer, String> again =
                SparkTrainCommandTest.run(command("spark", cluster, "--master", "local[2]", "--parts", "3"));
        assertEquals(0, again.getKey(), again.getValue());
        assertTrue(again.getValue().contains("every part was committed before"), again.getValue());
        assertEquals(expected, files(cluster));
    }
}
