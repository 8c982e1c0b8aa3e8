package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
        Map.Entry<Integer, String> spark = SparkTrainCommandTest.run(
                command("spark", cluster, "--master", "local[2]", "--parts", "3", "--tokenize-on", "cluster"));
        assertEquals(0, spark.getKey(), spark.getValue());
        assertTrue(spark.getValue().contains("in 3 part(s)"), spark.getValue());
        assertTrue(spark.getValue().contains("(tokenized on the cluster)"), spark.getValue());
        List<Path> expected = files(single);
        assertEquals(expected, files(cluster));
        assertTrue(expected.size() > 8, "files: " + expected);
        for (Path f : expected) {
            assertArrayEquals(
                    Files.readAllBytes(single.resolve(f)), Files.readAllBytes(cluster.resolve(f)), f.toString());
        }
        // planned again with the tokens counted on the driver: the same plan (another would be refused), all done
        Map.Entry<Integer, String> again = SparkTrainCommandTest.run(
                command("spark", cluster, "--master", "local[2]", "--parts", "3", "--tokenize-on", "driver"));
        assertEquals(0, again.getKey(), again.getValue());
        assertTrue(again.getValue().contains("(tokenized on the driver)"), again.getValue());
        assertTrue(again.getValue().contains("every part was committed before"), again.getValue());
        assertEquals(expected, files(cluster));
    }

    @Test
    void aHarvestOntoAHadoopFileSystemIsTheSameHarvestAndARerunFinishesAStoppedOne(@TempDir Path tmp) throws Exception {
        Path single = tmp.resolve("single");
        Map.Entry<Integer, String> one = SparkTrainCommandTest.run(command("harvest", single));
        assertEquals(0, one.getKey(), one.getValue());
        Path remote = tmp.resolve("remote");
        String uri = LoopbackFileSystem.SCHEME + "://" + remote.toAbsolutePath();
        String[] spark = Stream.of(
                        command("spark", single, "--master", "local[2]", "--parts", "3"), LoopbackFileSystem.conf())
                .flatMap(Stream::of)
                .toArray(String[]::new);
        spark[Arrays.asList(spark).indexOf("--out") + 1] = uri;

        System.setProperty(FaultInjection.PART_PROPERTY, "1");
        Map.Entry<Integer, String> stopped;
        try {
            stopped = SparkTrainCommandTest.run(spark);
        } finally {
            System.clearProperty(FaultInjection.PART_PROPERTY);
        }
        assertEquals(1, stopped.getKey(), stopped.getValue());
        assertTrue(stopped.getValue().contains("run the same command again"), stopped.getValue());
        assertTrue(Files.isDirectory(remote.resolve("parts/part-00001")), "the stopped part left its shards");
        assertTrue(Files.notExists(remote.resolve("parts/part-00001/part.json")));
        assertTrue(Files.notExists(Path.of(LoopbackFileSystem.SCHEME + ":")), "nothing written through java.nio");

        Map.Entry<Integer, String> finished = SparkTrainCommandTest.run(spark);
        assertEquals(0, finished.getKey(), finished.getValue());
        // part 0 committed before part 1 stopped; part 2 may have, depending on when Spark cancelled it
        assertTrue(
                finished.getValue().contains("1 to compute, 2 committed before")
                        || finished.getValue().contains("2 to compute, 1 committed before"),
                finished.getValue());
        assertTrue(finished.getValue().contains("wrote     " + uri), finished.getValue());
        List<Path> expected = files(single);
        assertEquals(expected, files(remote));
        for (Path f : expected) {
            assertArrayEquals(
                    Files.readAllBytes(single.resolve(f)), Files.readAllBytes(remote.resolve(f)), f.toString());
        }
        Map.Entry<Integer, String> again = SparkTrainCommandTest.run(spark);
        assertEquals(0, again.getKey(), again.getValue());
        assertTrue(again.getValue().contains("every part was committed before"), again.getValue());
        assertEquals(expected, files(remote));
    }

    @Test
    void aUriNoFileSystemServesOrANonEmptyFolderIsOneLine(@TempDir Path tmp) throws Exception {
        String[] unknown = command("spark", tmp.resolve("x"), "--master", "local[1]");
        unknown[Arrays.asList(unknown).indexOf("--out") + 1] = "nosuchfs://host/harvest";
        Map.Entry<Integer, String> r = SparkTrainCommandTest.run(unknown);
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("no Hadoop file system serves nosuchfs://"), r.getValue());
        unknown[Arrays.asList(unknown).indexOf("--out") + 1] = "s3a://bucket/harvest";
        r = SparkTrainCommandTest.run(unknown);
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("S3AFileSystem, which is not on the class path"), r.getValue());

        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("notes.txt"), "mine");
        String[] taken = Stream.of(command("spark", full, "--master", "local[1]"), LoopbackFileSystem.conf())
                .flatMap(Stream::of)
                .toArray(String[]::new);
        taken[Arrays.asList(taken).indexOf("--out") + 1] = LoopbackFileSystem.SCHEME + "://" + full;
        r = SparkTrainCommandTest.run(taken);
        assertEquals(2, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("is not empty and holds neither a harvest"), r.getValue());
        assertEquals(List.of(Path.of("notes.txt")), files(full));
    }

    @Test
    void theSingleMachineHarvestRefusesAUriAndTakesAFileUri(@TempDir Path tmp) throws Exception {
        String[] hdfs = command("harvest", tmp.resolve("x"));
        hdfs[Arrays.asList(hdfs).indexOf("--out") + 1] = "hdfs://namenode/harvest";
        Map.Entry<Integer, String> r = SparkTrainCommandTest.run(hdfs);
        assertEquals(2, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("is a URI, not a local path"), r.getValue());

        Path local = tmp.resolve("by-uri");
        String[] file = command("harvest", local);
        file[Arrays.asList(file).indexOf("--out") + 1] = local.toUri().toString();
        r = SparkTrainCommandTest.run(file);
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(Files.isRegularFile(local.resolve("harvest.json")));
    }
}
