package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code saekit spark encode} on {@code local[2]} writes the very file {@code saekit encode} writes
 * with the same options (dense or CSR, with skipped rows named alike), in parts cut at the blocks of
 * one pass over shards of uneven sizes, and leaves no file behind when a part fails.
 */
class SparkEncodeCommandTest {
    @TempDir
    static Path tmp;

    private static Path model;
    private static Path shards;
    private static INDArray clean;

    @BeforeAll
    static void trainAModelAndCutShards() throws Exception {
        Path run = tmp.resolve("run");
        Map.Entry<Integer, String> trained = SparkTrainCommandTest.run(
                "train",
                "--variant",
                "topk",
                "--k",
                "4",
                "--concepts",
                "32",
                "--epochs",
                "1",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                run.toString());
        assertEquals(0, trained.getKey(), trained.getValue());
        model = run.resolve("model");
        // two shards of 300 and 170 rows: with --batch-size 64 the blocks are 4 x 64 + 44, then 2 x 64 + 42;
        // 13 rows hold a NaN or an infinity, spread over both shards (more than the 10 named)
        INDArray x = new SeededRandom(5).normal(DType.FLOAT32, 0.5, 470, 100);
        clean = x.dup();
        for (long r : new long[] {3, 40, 70, 130, 200, 250, 299, 300, 320, 380, 400, 450, 469}) {
            x.putScalar(r, 7, r % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY);
        }
        shards = Files.createDirectories(tmp.resolve("shards"));
        Npy.write(shards.resolve("a.npy"), x.get(NDArrayIndex.interval(0, 300)).dup());
        Npy.write(
                shards.resolve("b.npy"), x.get(NDArrayIndex.interval(300, 470)).dup());
    }

    private static Map.Entry<Integer, String> encode(boolean spark, Path out, String... more) {
        return encode(spark, shards, out, more);
    }

    private static Map.Entry<Integer, String> encode(boolean spark, Path data, Path out, String... more) {
        Stream<String> head = spark
                ? Stream.of("spark", "encode", "--master", "local[2]", "--parts", "3")
                : Stream.of("encode", "--no-progress");
        return SparkTrainCommandTest.run(Stream.of(
                        head,
                        Stream.of("--model", model.toString(), "--data", data.toString(), "--out", out.toString()),
                        Stream.of("--batch-size", "64"),
                        Stream.of(more))
                .flatMap(s -> s)
                .toArray(String[]::new));
    }

    /** The lines of {@code text} that start with one of {@code prefixes}, naming {@code out} as OUT. */
    private static List<String> lines(String text, Path out, String... prefixes) {
        return text.replace(out.toString(), "OUT")
                .lines()
                .filter(l -> Stream.of(prefixes).anyMatch(l::startsWith))
                .toList();
    }

    private static void assertSameFile(String[] options, String suffix) throws Exception {
        Path single = tmp.resolve("single-" + String.join("", options).replace("-", "") + suffix);
        Path cluster = tmp.resolve("cluster-" + String.join("", options).replace("-", "") + suffix);
        Map.Entry<Integer, String> one = encode(false, single, options);
        assertEquals(0, one.getKey(), one.getValue());
        Map.Entry<Integer, String> spark = encode(true, cluster, options);
        assertEquals(0, spark.getKey(), spark.getValue());
        assertTrue(spark.getValue().contains("470 rows in 3 part(s) on local[2]"), spark.getValue());
        assertTrue(
                spark.getValue().matches("(?s).*encoded   470 of 470 rows in [0-9.]+ s on the cluster .*"),
                spark.getValue());
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(cluster));
        assertEquals(
                lines(one.getValue(), single, "wrote", "warning"),
                lines(spark.getValue(), cluster, "wrote", "warning"));
        assertFalse(Files.exists(tmp.resolve(cluster.getFileName() + ".parts")), "the parts are deleted");
    }

    @Test
    void denseCodesWithSkippedRowsAreTheSingleMachineFileByteForByte() throws Exception {
        assertSameFile(new String[] {"--bad-rows", "skip"}, ".npy");
    }

    @Test
    void sparseCodesWithSkippedRowsAreTheSingleMachineFileByteForByte() throws Exception {
        assertSameFile(new String[] {"--bad-rows", "skip", "--sparse"}, ".safetensors");
    }

    @Test
    void shardsAreTheSingleMachineCodesCutAtTheParts() throws Exception {
        Path single = tmp.resolve("one-file.safetensors");
        Path cluster = tmp.resolve("sharded/codes.safetensors");
        Files.createDirectories(cluster.getParent());
        String[] options = {"--bad-rows", "skip", "--sparse"};
        assertEquals(0, encode(false, single, options).getKey());
        Map.Entry<Integer, String> spark = encode(true, cluster, "--bad-rows", "skip", "--sparse", "--shards");
        assertEquals(0, spark.getKey(), spark.getValue());
        assertTrue(spark.getValue().contains("codes-NNNNN.safetensors (3 shards, listed in "), spark.getValue());
        assertFalse(Files.exists(cluster), "no single file");

        Map<String, INDArray> whole = dev.saekit.io.Safetensors.read(single);
        long[] indptr = whole.get("indptr").toLongVector();
        long[] indices = whole.get("indices").toLongVector();
        float[] values = whole.get("values").toFloatVector();
        com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("sharded/codes.shards.json").toFile());
        assertEquals(indptr.length - 1, list.get("rows").asLong());
        assertEquals(32, list.get("concepts").asLong());
        long row = 0;
        for (com.fasterxml.jackson.databind.JsonNode shard : list.get("shards")) {
            assertEquals(row, shard.get("first_row").asLong());
            Map<String, INDArray> part = dev.saekit.io.Safetensors.read(
                    tmp.resolve("sharded").resolve(shard.get("file").asText()));
            long[] p = part.get("indptr").toLongVector();
            assertEquals(shard.get("rows").asLong(), p.length - 1);
            for (int r = 0; r < p.length - 1; r++) { // the shard's rows are the file's rows, entry for entry
                assertEquals(indptr[(int) row + r + 1] - indptr[(int) row + r], p[r + 1] - p[r]);
                assertArrayEquals(
                        Arrays.copyOfRange(values, (int) indptr[(int) row + r], (int) indptr[(int) row + r + 1]),
                        Arrays.copyOfRange(part.get("values").toFloatVector(), (int) p[r], (int) p[r + 1]));
                assertArrayEquals(
                        Arrays.copyOfRange(indices, (int) indptr[(int) row + r], (int) indptr[(int) row + r + 1]),
                        Arrays.copyOfRange(part.get("indices").toLongVector(), (int) p[r], (int) p[r + 1]));
            }
            row += p.length - 1;
        }
        assertEquals(indptr.length - 1, row);

        Map.Entry<Integer, String> dense = encode(true, tmp.resolve("d.npy"), "--shards");
        assertEquals(2, dense.getKey(), dense.getValue());
        assertTrue(dense.getValue().contains("give --sparse too"), dense.getValue());
    }

    @Test
    void aFailedPartLeavesNoOutputAndOneLineSayingWhy() throws Exception {
        Path out = tmp.resolve("failed.npy");
        Map.Entry<Integer, String> spark = encode(true, out);
        assertEquals(1, spark.getKey(), spark.getValue());
        assertTrue(
                spark.getValue().contains("encoding on the cluster failed: ")
                        && spark.getValue().contains("run the same command again to finish"),
                spark.getValue());
        assertFalse(Files.exists(out), "no codes file");
    }

    @Test
    void aRerunKeepsThePartsCommittedBeforeAndFinishesTheFile() throws Exception {
        // the last of the 3 parts (rows 364..469, all in b.npy) fails on its NaN; the first two commit
        Path data = Files.createDirectories(tmp.resolve("mend"));
        Npy.write(
                data.resolve("a.npy"), clean.get(NDArrayIndex.interval(0, 300)).dup());
        INDArray b = clean.get(NDArrayIndex.interval(300, 470)).dup();
        b.putScalar(169, 7, Double.NaN);
        Npy.write(data.resolve("b.npy"), b);
        Path out = tmp.resolve("mended.npy");
        Map.Entry<Integer, String> failed = encode(true, data, out);
        assertEquals(1, failed.getKey(), failed.getValue());
        assertTrue(failed.getValue().contains("b.npy has NaN at row 169, column 7"), failed.getValue());
        assertFalse(Files.exists(out), "no codes file");
        try (Stream<Path> parts = Files.list(tmp.resolve("mended.npy.parts"))) {
            assertEquals(2, parts.filter(p -> p.toString().endsWith(".done")).count());
        }

        Npy.write(
                data.resolve("b.npy"),
                clean.get(NDArrayIndex.interval(300, 470)).dup()); // the data mended
        Map.Entry<Integer, String> again = encode(true, data, out);
        assertEquals(0, again.getKey(), again.getValue());
        assertTrue(again.getValue().contains("1 to encode, 2 committed before"), again.getValue());
        Path single = tmp.resolve("mended-single.npy");
        Map.Entry<Integer, String> one = encode(false, data, single);
        assertEquals(0, one.getKey(), one.getValue());
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(out));
    }
}
