package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.hostile.DataBytes;
import dev.saekit.io.hostile.ZipBuilder;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A data location of any format, one file or shards: its description, statistics, row blocks and streaming. */
class DataLocationTest {
    @TempDir
    Path tmp;

    /** Element i of the whole data set is i (so a row's values say which row it is): rows of width 6, stored [n, 2, 3]. */
    private static float[] values(long first, int rows) {
        float[] v = new float[rows * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = first * 6 + i;
        }
        return v;
    }

    /** One shard of each format: .npy float32, stored and deflated .npz float64, safetensors float16, IDX int16 and IDX .gz uint8. */
    private Path mixedShards() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        Files.write(dir.resolve("a.npy"), DataBytes.npyF4(new long[] {3, 2, 3}, values(0, 3)));
        double[] d = new double[4 * 6];
        for (int i = 0; i < d.length; i++) {
            d[i] = 18 + i;
        }
        ZipBuilder stored = new ZipBuilder();
        stored.add("x.npy", DataBytes.npyF8(new long[] {4, 2, 3}, d), false);
        Files.write(dir.resolve("b.npz"), stored.build());
        for (int i = 0; i < d.length; i++) {
            d[i] = 42 + i;
        }
        ZipBuilder deflated = new ZipBuilder();
        deflated.add("x.npy", DataBytes.npyF8(new long[] {4, 2, 3}, d), true);
        Files.write(dir.resolve("c.npz"), deflated.build());
        ByteBuffer half = ByteBuffer.allocate(2 * 12).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) {
            half.putShort((short)
                    (21 << 10 | (66 + i - 64) * 16)); // 66..77 in [64, 128): exponent 6, 4 mantissa steps per unit
        }
        Files.write(
                dir.resolve("d.safetensors"),
                DataBytes.safetensors(
                        "{\"x\":{\"dtype\":\"F16\",\"shape\":[2,2,3],\"data_offsets\":[0,24]}}", half.array()));
        ByteBuffer shorts = ByteBuffer.allocate(2 * 12); // big-endian
        for (int i = 0; i < 12; i++) {
            shorts.putShort((short) (78 + i));
        }
        Files.write(dir.resolve("e.idx"), DataBytes.idx(0x0B, new long[] {2, 2, 3}, shorts.array()));
        byte[] bytes = new byte[12];
        for (int i = 0; i < 12; i++) {
            bytes[i] = (byte) (90 + i);
        }
        Files.write(dir.resolve("f.idx.gz"), DataBytes.gzip(DataBytes.idx(0x08, new long[] {2, 2, 3}, bytes)));
        Files.writeString(dir.resolve("notes.txt"), "not a shard");
        return dir;
    }

    @Test
    void aDirectoryOfShardsOfEveryFormatIsOneMatrix() throws IOException {
        Path dir = mixedShards();
        DataLocation data = DataLocation.open(dir.toString(), null, 1);
        assertFalse(data.isSingleFile());
        assertEquals(17, data.rows()); // 3 + 4 + 4 + 2 + 2 + 2
        assertEquals(6, data.cols());
        assertEquals(dir + " (6 shards: 1 .npy, 2 .npz, 1 .safetensors, 1 IDX, 1 IDX .gz)", data.describe());
        assertEquals("6 shards of shape [*, 2, 3], flattened to 17 rows x 6 in all", data.layoutText());
        assertEquals(2, data.compressedCount());
        INDArray all = data.load(DType.FLOAT64);
        assertArrayEquals(
                LongStream.range(0, 102).asDoubleStream().toArray(), all.data().asDouble(), 0.0);

        DataLocation tokens = DataLocation.open(dir.toString(), null, 2);
        assertEquals(34, tokens.rows());
        assertEquals(3, tokens.cols());
        assertEquals("6 shards of shape [*, 2, 3], flattened to 34 rows x 3 in all (2 row axes)", tokens.layoutText());
    }

    @Test
    void compressedShardsAreStreamedFromAScratchFileWithTheSameRows() throws IOException {
        Path dir = mixedShards();
        try (ShardedDataset data = ShardedDataset.builder(dir.toString())
                .dtype(DType.FLOAT64)
                .bufferRows(5)
                .chunkRows(2)
                .build()) {
            assertEquals(2, data.decompressedShards());
            assertEquals(
                    (4 * 6 * 8) + 12, data.scratchBytes(), "the deflated float64 member and the gzipped uint8 file");
            List<Double> firsts = new ArrayList<>();
            for (INDArray batch : data.batches(4, 3, 0)) {
                for (double[] row : batch.toDoubleMatrix()) {
                    for (int j = 0; j < 6; j++) {
                        assertEquals(row[0] + j, row[j], 0.0, "an intact row");
                    }
                    firsts.add(row[0]);
                }
            }
            assertEquals(17, firsts.size());
            assertEquals(
                    LongStream.range(0, 17).mapToObj(r -> 6.0 * r).toList(),
                    firsts.stream().sorted().toList());
            assertNotEquals(firsts.stream().sorted().toList(), firsts, "shuffled");
            data.close();
            UncheckedIOException closed = assertThrows(
                    UncheckedIOException.class, () -> data.batchesInOrder(17).forEach(b -> {}));
            assertTrue(closed.getMessage().endsWith("the data set was closed"), closed.getMessage());
        }
    }

    @Test
    void rowBlocksComeInOrderCheckedAndConverted() throws IOException {
        Path dir = mixedShards();
        DataLocation data = DataLocation.open(dir.toString(), null, 1);
        List<Long> starts = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        data.forEachRowBlock(DType.FLOAT32, 3, (first, rows) -> {
            starts.add(first);
            assertEquals(DType.FLOAT32.nd4j(), rows.dataType());
            for (double v : rows.data().asDouble()) {
                values.add(v);
            }
        });
        assertEquals(List.of(0L, 3L, 6L, 7L, 10L, 11L, 13L, 15L), starts, "a block never spans two shards");
        assertEquals(LongStream.range(0, 102).mapToObj(i -> (double) i).toList(), values);
        assertArrayEquals(
                new double[] {48, 49, 50, 51, 52, 53},
                data.meanRow(DType.FLOAT64).toDoubleVector(),
                0.0);
    }

    @Test
    void statisticsStreamAndMatchAnExactComputation() throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        int n = 200_003; // several blocks, the last one short
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1e6
                    + random.nextGaussian()
                            * (i % 3 == 0 ? 1e-3 : 2); // a large mean: a one-pass formula would lose digits
        }
        Path f = tmp.resolve("stats.npy");
        Files.write(f, DataBytes.npyF8(new long[] {n}, v));
        ValueStats s = DataLocation.open(f.toString(), null, 1).statistics();
        BigDecimal sum = BigDecimal.ZERO;
        for (double x : v) {
            sum = sum.add(new BigDecimal(x));
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128);
        BigDecimal squares = BigDecimal.ZERO;
        for (double x : v) {
            BigDecimal d = new BigDecimal(x).subtract(mean);
            squares = squares.add(d.multiply(d));
        }
        double std = Math.sqrt(
                squares.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128).doubleValue());
        assertEquals(n, s.count());
        assertEquals(mean.doubleValue(), s.mean(), 4 * Math.ulp(1e6)); // the compensated sum, then one division
        assertEquals(std, s.std(), 1e-12 * std);
    }

    @Test
    void statisticsCountNonFiniteValuesInsteadOfRefusingThem() throws IOException {
        Path f = tmp.resolve("nan.npy");
        Files.write(f, DataBytes.npyF4(new long[] {4}, 1, Float.NaN, 3, Float.POSITIVE_INFINITY));
        ValueStats s = DataLocation.open(f.toString(), null, 1).statistics();
        assertEquals(2, s.nonFinite());
        assertTrue(Double.isNaN(s.mean()) && Double.isNaN(s.min()) && Double.isNaN(s.std()), s.toString());
    }

    @Test
    void shardsMustHaveOneWidthAndANameChoosesTheArrayOfEachShard() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("named"));
        for (String shard : new String[] {"a", "b"}) {
            ZipBuilder zip = new ZipBuilder();
            zip.add("acts.npy", DataBytes.npyF4(new long[] {2, 3}, DataBytes.ramp(6)), true);
            zip.add("labels.npy", DataBytes.npyF4(new long[] {2}, 0, 1), false);
            Files.write(dir.resolve(shard + ".npz"), zip.build());
        }
        ArraySelectionException none =
                assertThrows(ArraySelectionException.class, () -> DataLocation.open(dir.toString(), null, 1));
        assertTrue(
                none.getMessage()
                        .contains("holds 2 arrays; choose one by name: acts float32 [2, 3], labels float32 [2]"),
                none.getMessage());
        DataLocation acts = DataLocation.open(dir.toString(), "acts", 1);
        assertEquals(4, acts.rows());
        assertEquals(dir + " (2 .npz shards, array 'acts')", acts.describe());
        ZipBuilder wider = new ZipBuilder();
        wider.add("acts.npy", DataBytes.npyF4(new long[] {2, 4}, DataBytes.ramp(8)), true);
        Files.write(dir.resolve("c.npz"), wider.build());
        IllegalArgumentException widths =
                assertThrows(IllegalArgumentException.class, () -> DataLocation.open(dir + "/*", "acts", 1));
        assertTrue(widths.getMessage().contains("all shards need the same width"), widths.getMessage());
    }
}
