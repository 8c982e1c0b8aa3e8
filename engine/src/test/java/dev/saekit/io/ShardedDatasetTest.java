package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shards on disk, streamed: every row once per epoch, determinism, the buffer bound, dtypes, errors. */
class ShardedDatasetTest {
    private static final int WIDTH = 3;

    @TempDir
    Path dir;

    /** Row r of the data set is (r, 10 r + 1, -r): column 0 says which row a batch row claims to be. */
    private static double[] row(long r) {
        return new double[] {r, 10 * r + 1, -r};
    }

    /** Shards {@code shard-00.npy, shard-01.npy, ...} of the given row counts, numbered on from {@code first}. */
    private List<Path> writeShards(Path where, long first, int... sizes) throws IOException {
        Files.createDirectories(where);
        List<Path> files = new ArrayList<>();
        long r = first;
        for (int i = 0; i < sizes.length; i++) {
            double[][] rows = new double[sizes[i]][];
            for (int k = 0; k < sizes[i]; k++) {
                rows[k] = row(r++);
            }
            Path f = where.resolve(String.format("shard-%02d.npy", i));
            Npy.write(f, Tensors.matrix(DType.FLOAT32, rows));
            files.add(f);
        }
        return files;
    }

    private static ShardedDataset open(Path dir, int bufferRows, int chunkRows) throws IOException {
        return ShardedDataset.builder(dir.toString())
                .bufferRows(bufferRows)
                .chunkRows(chunkRows)
                .build();
    }

    /** The row ids of each batch, checking that every batch row is an intact source row. */
    private static List<List<Long>> ids(Iterable<INDArray> batches) {
        List<List<Long>> out = new ArrayList<>();
        for (INDArray batch : batches) {
            List<Long> ids = new ArrayList<>();
            for (double[] values : batch.toDoubleMatrix()) {
                long id = (long) values[0];
                assertArrayEquals(row(id), values, 0.0, "batch row claiming to be row " + id);
                ids.add(id);
            }
            out.add(ids);
        }
        return out;
    }

    private static long[] flat(List<List<Long>> batches) {
        return batches.stream().flatMap(List::stream).mapToLong(Long::longValue).toArray();
    }

    private static long[] range(long n) {
        return LongStream.range(0, n).toArray();
    }

    @Test
    void everyRowComesExactlyOncePerEpochOverUnevenShardsLargerThanTheBuffer() throws IOException {
        writeShards(dir, 0, 37, 5, 100, 1, 64); // 207 rows; the 100-row shard alone is 6x the buffer
        ShardedDataset data = open(dir, 16, 7);
        assertEquals(207, data.rows());
        assertEquals(WIDTH, data.cols());
        for (int epoch = 0; epoch < 3; epoch++) {
            List<List<Long>> batches = ids(data.batches(10, 42, epoch));
            assertEquals(21, batches.size());
            for (int b = 0; b < 20; b++) {
                assertEquals(10, batches.get(b).size());
            }
            assertEquals(7, batches.get(20).size()); // 207 = 20 x 10 + 7
            assertArrayEquals(range(207), LongStream.of(flat(batches)).sorted().toArray(), "epoch " + epoch);
        }
    }

    @Test
    void batchesLargerThanTheBufferStillTakeEveryRowOnce() throws IOException {
        writeShards(dir, 0, 50, 30);
        ShardedDataset data = open(dir, 4, 3);
        List<List<Long>> batches = ids(data.batches(32, 1, 0));
        assertEquals(List.of(32, 32, 16), batches.stream().map(List::size).toList());
        assertArrayEquals(range(80), LongStream.of(flat(batches)).sorted().toArray());
    }

    @Test
    void theSameSeedAndEpochGiveTheSameBatchesAndOtherEpochsAndSeedsDiffer() throws IOException {
        writeShards(dir, 0, 60, 45, 80);
        ShardedDataset data = open(dir, 32, 8);
        List<List<Long>> first = ids(data.batches(16, 7, 0));
        assertEquals(first, ids(data.batches(16, 7, 0)));
        assertEquals(first, ids(open(dir, 32, 8).batches(16, 7, 0)), "a new data set over the same shards");
        assertNotEquals(first, ids(data.batches(16, 7, 1)));
        assertNotEquals(first, ids(data.batches(16, 8, 0)));
        assertNotEquals(List.of(range(185)), List.of(flat(first)), "shuffled, not in file order");
    }

    @Test
    void theBufferNeverHoldsMoreThanBufferRows() throws IOException {
        writeShards(dir, 0, 300, 211);
        ShardedDataset data = open(dir, 25, 10);
        assertEquals(0, data.peakBufferedRows());
        for (int epoch = 0; epoch < 2; epoch++) {
            ids(data.batches(8, 3, epoch));
        }
        // it fills up (so it is a real bound on a working buffer) and never past the bound
        assertEquals(25, data.peakBufferedRows());
        assertEquals(25L * WIDTH * 4, data.bufferBytes());

        ShardedDataset small = open(dir, 10_000, 10);
        ids(small.batches(8, 3, 0));
        assertEquals(511, small.peakBufferedRows(), "a buffer larger than the data holds the data");
    }

    @Test
    void aBatchArrayIsReusedForTheNextBatch() throws IOException {
        writeShards(dir, 0, 40);
        ShardedDataset data = open(dir, 16, 4);
        for (Iterable<INDArray> batches : List.of(data.batches(8, 0, 0), data.batchesInOrder(8))) {
            Iterator<INDArray> it = batches.iterator();
            INDArray a = it.next();
            INDArray b = it.next();
            assertSame(a, b);
        }
    }

    @Test
    void batchesInOrderStreamTheRowsInFileOrderAcrossShards() throws IOException {
        writeShards(dir, 0, 13, 1, 9);
        ShardedDataset data = open(dir, 4, 5);
        List<List<Long>> batches = ids(data.batchesInOrder(6));
        assertEquals(List.of(6, 6, 6, 5), batches.stream().map(List::size).toList());
        assertArrayEquals(range(23), flat(batches));
        assertEquals(0, data.peakBufferedRows(), "in order needs no shuffle buffer");
    }

    @Test
    void rowsAreReadThroughWindowsNoLargerThanTheLimit() throws IOException {
        writeShards(dir, 0, 20, 11);
        // 3 rows of 3 float32 fit in 40 bytes: each window (and chunk) is at most 3 rows
        ShardedDataset data = ShardedDataset.builder(dir.toString())
                .chunkRows(100)
                .bufferRows(8)
                .maxWindowBytes(40)
                .build();
        assertEquals(3, data.chunkRows());
        assertArrayEquals(range(31), flat(ids(data.batchesInOrder(5))));
        assertArrayEquals(
                range(31),
                LongStream.of(flat(ids(data.batches(5, 2, 0)))).sorted().toArray());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ShardedDataset.builder(dir.toString()).maxWindowBytes(8).build());
        assertTrue(
                e.getMessage().contains("12 bytes, more than the 8 one memory-mapped window can span"), e.getMessage());
    }

    @Test
    void aGlobSelectsItsFilesAndADirectoryItsNpyFilesInNameOrder() throws IOException {
        writeShards(dir.resolve("acts"), 0, 4, 6);
        Files.writeString(dir.resolve("acts/notes.txt"), "not a shard");
        writeShards(dir.resolve("acts/old"), 100, 2);
        Npy.write(dir.resolve("acts/other.npy"), Tensors.matrix(DType.FLOAT32, new double[][] {row(10), row(11)}));

        ShardedDataset all = open(dir.resolve("acts"), 8, 4);
        assertEquals(
                List.of(
                        dir.resolve("acts/other.npy"),
                        dir.resolve("acts/shard-00.npy"),
                        dir.resolve("acts/shard-01.npy")),
                all.files().stream().sorted().toList());
        assertEquals(dir.resolve("acts/other.npy"), all.files().get(0), "sorted by name");
        assertEquals(12, all.rows());

        ShardedDataset globbed = ShardedDataset.open(dir.resolve("acts") + "/shard-*.npy");
        assertEquals(List.of(dir.resolve("acts/shard-00.npy"), dir.resolve("acts/shard-01.npy")), globbed.files());
        assertArrayEquals(range(10), flat(ids(globbed.batchesInOrder(4))));
        assertTrue(globbed.description().endsWith("shard-*.npy (2 .npy shards)"), globbed.description());

        assertEquals(
                4, ShardedDataset.open(dir.resolve("acts") + "/**.npy").files().size(), "** descends into old/");
        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> ShardedDataset.open(dir.resolve("acts") + "/*.bin"));
        assertTrue(none.getMessage().startsWith("no file matches "), none.getMessage());
    }

    @Test
    void shardsOfDifferentWidthsAreRefusedNamingBothFilesAndShapes() throws IOException {
        writeShards(dir, 0, 5);
        Npy.write(dir.resolve("shard-01.npy"), Tensors.zeros(DType.FLOAT32, 4, 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(dir, 8, 4));
        assertEquals(
                "shard " + dir.resolve("shard-01.npy") + " has shape [4, 7] (rows of width 7) but shard "
                        + dir.resolve("shard-00.npy") + " has shape [5, 3] (width 3); all shards need the same width",
                e.getMessage());
    }

    @Test
    void emptyAndFortranShardsAreRefusedFromTheirHeaders() throws IOException {
        Path empty = dir.resolve("empty.npy");
        Npy.write(empty, Tensors.zeros(DType.FLOAT32, 0, 3));
        assertRefused(empty, "shard " + empty + " is empty: shape [0, 3]");

        Path fortran = dir.resolve("fortran.npy");
        writeRaw(fortran, "<f4", true, new long[] {2, 3}, ByteBuffer.allocate(24));
        assertRefused(fortran, "shard " + fortran + " (shape [2, 3]) is stored in Fortran (column-major) order");
    }

    @Test
    void vectorAndIntegerShardsAreReadLikeAnyFile() throws IOException {
        Path vector = dir.resolve("vector.npy");
        Npy.write(vector, Tensors.fromFlat(DType.FLOAT32, new double[] {1, 2, 3, 4, 5, 6}, 6));
        ShardedDataset column = ShardedDataset.builder(List.of(vector)).build();
        assertEquals(6, column.rows());
        assertEquals(1, column.cols(), "a 1-d array [n] is [n, 1]");

        Path ints = dir.resolve("ints.npy");
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : new int[] {-7, 0, 7, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 24}) {
            b.putInt(v);
        }
        writeRaw(ints, "<i4", false, new long[] {2, 3}, b.flip());
        ShardedDataset data =
                ShardedDataset.builder(List.of(ints)).dtype(DType.FLOAT64).build();
        assertArrayEquals(
                new double[][] {{-7, 0, 7}, {Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 24}},
                data.batchesInOrder(2).iterator().next().toDoubleMatrix());
    }

    private static void assertRefused(Path file, String messageStart) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ShardedDataset.builder(List.of(file)).build());
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
    }

    @Test
    void aNaNIsReportedWithItsFileRowAndColumnWhenItsRowIsRead() throws IOException {
        writeShards(dir, 0, 20);
        double[][] rows = new double[10][];
        for (int k = 0; k < 10; k++) {
            rows[k] = row(20 + k);
        }
        rows[6][2] = Double.NaN;
        Path bad = dir.resolve("shard-01.npy");
        Npy.write(bad, Tensors.matrix(DType.FLOAT32, rows));
        ShardedDataset data = open(dir, 8, 4); // the headers are fine: building succeeds
        String expected = bad + " has NaN at row 6, column 2; remove or impute such rows before training";
        for (Iterable<INDArray> batches : List.of(data.batches(5, 0, 0), data.batchesInOrder(5))) {
            NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> ids(batches));
            assertEquals(expected, e.getMessage());
            assertEquals(bad, e.file());
            assertEquals(6, e.row());
            assertEquals(2, e.column());
        }
    }

    @Test
    void anInfinityInAnNdShardIsNamedByFlatRowColumnAndStoredIndex() throws IOException {
        double[] values = new double[2 * 3 * WIDTH];
        values[(1 * 3 + 2) * WIDTH + 1] = Double.NEGATIVE_INFINITY; // index [1, 2, 1]
        Path f = dir.resolve("acts.npy");
        Npy.write(f, Tensors.fromFlat(DType.FLOAT32, values, 2, 3, WIDTH));

        ShardedDataset samples = ShardedDataset.builder(List.of(f)).build(); // the first axis indexes rows: 2 rows of 9
        assertEquals(2, samples.rows());
        assertEquals(9, samples.cols());
        NonFiniteValueException e = assertThrows(
                NonFiniteValueException.class, () -> samples.batchesInOrder(4).forEach(b -> {}));
        assertEquals(
                f + " has -Infinity at row 1, column 7 (index [1, 2, 1] of shape [2, 3, 3]); remove or impute such rows"
                        + " before training",
                e.getMessage());

        ShardedDataset tokens = ShardedDataset.builder(List.of(f)).rowAxes(2).build(); // 6 rows of 3
        assertEquals(6, tokens.rows());
        assertEquals(WIDTH, tokens.cols());
        e = assertThrows(
                NonFiniteValueException.class, () -> tokens.batchesInOrder(4).forEach(b -> {}));
        assertEquals(
                f + " has -Infinity at row 5, column 1 (index [1, 2, 1] of shape [2, 3, 3]); remove or impute such rows"
                        + " before training",
                e.getMessage());
    }

    @Test
    void float16AndBigEndianShardsAreConvertedToTheDatasetDtype() throws IOException {
        // rows 0..3: (r, 10 r + 1, -r) is exact in every float type
        Path half = dir.resolve("a-half.npy");
        ByteBuffer h = ByteBuffer.allocate(2 * 2 * WIDTH).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < 2; r++) {
            for (double v : row(r)) {
                h.putShort(toHalf((float) v));
            }
        }
        writeRaw(half, "<f2", false, new long[] {2, WIDTH}, h.flip());
        Path bigFloat = dir.resolve("b-big-f4.npy");
        ByteBuffer f = ByteBuffer.allocate(4 * WIDTH).order(ByteOrder.BIG_ENDIAN);
        for (double v : row(2)) {
            f.putFloat((float) v);
        }
        writeRaw(bigFloat, ">f4", false, new long[] {1, WIDTH}, f.flip());
        Path bigDouble = dir.resolve("c-big-f8.npy");
        ByteBuffer d = ByteBuffer.allocate(8 * WIDTH).order(ByteOrder.BIG_ENDIAN);
        for (double v : row(3)) {
            d.putDouble(v);
        }
        writeRaw(bigDouble, ">f8", false, new long[] {1, WIDTH}, d.flip());
        Path bigHalf = dir.resolve("d-big-f2.npy");
        ByteBuffer bh = ByteBuffer.allocate(2 * WIDTH).order(ByteOrder.BIG_ENDIAN);
        bh.putShort(toHalf(4)).putShort(toHalf(0.5f)).putShort(toHalf(-65504)); // 0.5 and the largest half, exact
        writeRaw(bigHalf, ">f2", false, new long[] {1, WIDTH}, bh.flip());

        for (DType dtype : DType.values()) {
            ShardedDataset data =
                    ShardedDataset.builder(dir.toString()).dtype(dtype).build();
            INDArray batch = data.batchesInOrder(5).iterator().next();
            assertEquals(dtype.nd4j(), batch.dataType());
            double[][] expected = {row(0), row(1), row(2), row(3), {4, 0.5, -65504}};
            assertArrayEquals(expected, batch.toDoubleMatrix(), dtype.toString());
        }
    }

    @Test
    void aSubnormalAndAHalfNaNAreDecodedExactly() throws IOException {
        Path half = dir.resolve("h.npy");
        ByteBuffer b = ByteBuffer.allocate(2 * WIDTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x0001).putShort((short) 0x8000).putShort((short) 0x7E00); // 2^-24, -0, NaN
        writeRaw(half, "<f2", false, new long[] {1, WIDTH}, b.flip());
        assertEquals(0x1p-24f, dev.saekit.io.Float16.toFloat((short) 0x0001));
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(dev.saekit.io.Float16.toFloat((short) 0x8000)));
        NonFiniteValueException e = assertThrows(
                NonFiniteValueException.class,
                () -> ShardedDataset.builder(List.of(half))
                        .build()
                        .batchesInOrder(1)
                        .iterator()
                        .next());
        assertEquals(2, e.column());
    }

    @Test
    void theStreamedMeanEqualsTheInMemoryMeanAndCentringSubtractsIt() throws IOException {
        writeShards(dir, 0, 7, 12, 5);
        ShardedDataset data = open(dir, 6, 3);
        // column means of (r, 10 r + 1, -r) for r = 0..23: 11.5, 116, -11.5; sums of small integers,
        // halves and a division by 24 are exact, in float32 as in float64, whatever the order
        INDArray mean = data.meanRow();
        assertArrayEquals(new double[] {11.5, 116, -11.5}, mean.toDoubleVector(), 0.0);
        INDArray all = Tensors.matrix(
                DType.FLOAT32,
                LongStream.range(0, 24).mapToObj(ShardedDatasetTest::row).toArray(double[][]::new));
        assertArrayEquals(InMemoryDataset.of(all, "all").meanRow().toDoubleVector(), mean.toDoubleVector(), 0.0);

        ShardedDataset centred = data.centred(mean);
        double[][] rows = centred.batchesInOrder(24).iterator().next().toDoubleMatrix();
        for (int r = 0; r < 24; r++) {
            assertArrayEquals(new double[] {r - 11.5, 10 * r + 1 - 116, -r + 11.5}, rows[r], 0.0);
        }
        assertArrayEquals(new double[] {0, 0, 0}, centred.meanRow().toDoubleVector(), 0.0);
    }

    @Test
    void aSampleHoldsDistinctRowsInOrderAndDependsOnlyOnTheSeed() throws IOException {
        writeShards(dir, 0, 40, 25, 35);
        ShardedDataset data = open(dir, 8, 4);
        long[] a = ids(List.of(data.sample(30, 5))).get(0).stream()
                .mapToLong(Long::longValue)
                .toArray();
        assertEquals(30, a.length);
        assertEquals(30, LongStream.of(a).distinct().count());
        assertArrayEquals(LongStream.of(a).sorted().toArray(), a);
        assertTrue(LongStream.of(a).allMatch(r -> r >= 0 && r < 100));
        assertArrayEquals(
                a,
                ids(List.of(data.sample(30, 5))).get(0).stream()
                        .mapToLong(Long::longValue)
                        .toArray());
        assertNotEquals(
                List.of(a),
                List.of(ids(List.of(data.sample(30, 6))).get(0).stream()
                        .mapToLong(Long::longValue)
                        .toArray()));
        assertArrayEquals(range(100), flat(ids(List.of(data.sample(500, 5)))), "n >= rows: every row");
    }

    @Test
    void optionsAreValidated() throws IOException {
        writeShards(dir, 0, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(dir, 0, 4));
        assertEquals("bufferRows must be > 0, was 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> open(dir, 4, -1));
        assertEquals("chunkRows must be > 0, was -1", e.getMessage());
        ShardedDataset data = open(dir, 4, 4);
        e = assertThrows(IllegalArgumentException.class, () -> data.batches(0, 0, 0));
        assertEquals("batchSize must be > 0, was 0", e.getMessage());
        assertThrows(
                java.nio.file.NoSuchFileException.class,
                () -> ShardedDataset.open(dir.resolve("missing").toString()));
    }

    /** A .npy file written by hand: magic, version 1.0, the dict padded to 64 bytes, the data as given. */
    private static void writeRaw(Path file, String descr, boolean fortran, long[] shape, ByteBuffer data)
            throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long s : shape) {
            dims.append(s).append(", ");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
                + dims.toString().replaceAll(", $", shape.length == 1 ? "," : "") + "), }";
        int padding = 64 - (10 + dict.length() + 1) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer out =
                ByteBuffer.allocate(10 + header.length() + data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        Files.write(file, out.array());
    }

    /** float32 to IEEE binary16, for values that a half holds exactly (normal numbers and zero). */
    private static short toHalf(float v) {
        int bits = Float.floatToIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        if ((bits & 0x7FFF_FFFF) == 0) {
            return (short) sign;
        }
        int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mantissa = (bits >>> 13) & 0x3FF;
        return (short) (sign | (exponent << 10) | mantissa);
    }
}
