package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.SideBySideDataset;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batches assembled on a background thread: the same batches as without it, the reader's
 * failures thrown in the training thread, and no thread left running after close or abandonment.
 */
class ReadAheadTest {
    @TempDir
    Path dir;

    /** Shards of the given row counts in {@code where}; row r holds (r, 10 r + 1, -r) plus {@code add}. */
    private static void writeShards(Path where, double add, int... sizes) throws IOException {
        Files.createDirectories(where);
        long r = 0;
        for (int i = 0; i < sizes.length; i++) {
            double[][] rows = new double[sizes[i]][];
            for (int k = 0; k < sizes[i]; k++, r++) {
                rows[k] = new double[] {r + add, 10 * r + 1 + add, -r + add};
            }
            Npy.write(where.resolve(String.format("shard-%02d.npy", i)), Tensors.matrix(DType.FLOAT32, rows));
        }
    }

    private static ShardedDataset open(Path where, boolean readAhead) throws IOException {
        return ShardedDataset.builder(where.toString())
                .bufferRows(16)
                .chunkRows(7)
                .readAhead(readAhead)
                .build();
    }

    /** Every batch's values, copied (a batch array is reused by the next batch). */
    private static List<float[][]> copies(Iterable<INDArray> batches) {
        List<float[][]> out = new ArrayList<>();
        for (INDArray b : batches) {
            out.add(b.toFloatMatrix());
        }
        return out;
    }

    private static void assertSameBatches(List<float[][]> expected, List<float[][]> actual) {
        assertEquals(expected.size(), actual.size(), "batches");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "batch " + i);
        }
    }

    /** Waits (at most 10 s, collecting garbage) until {@code data} has no read-ahead thread left. */
    private static void awaitNoThreads(ShardedDataset data) throws InterruptedException {
        for (int i = 0; i < 200 && data.readAheadThreads() > 0; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(0, data.readAheadThreads(), "read-ahead threads still running");
    }

    @Test
    void readAheadGivesTheSameBatchesInTheSameOrderAsReadingInTheTrainingThread() throws Exception {
        writeShards(dir, 0, 37, 5, 100, 1, 64);
        try (ShardedDataset ahead = open(dir, true);
                ShardedDataset inline = open(dir, false)) {
            for (int epoch = 0; epoch < 3; epoch++) {
                assertSameBatches(copies(inline.batches(10, 42, epoch)), copies(ahead.batches(10, 42, epoch)));
            }
            assertSameBatches(copies(inline.batchesInOrder(9)), copies(ahead.batchesInOrder(9)));
            assertSameBatches(
                    copies(inline.centred(Tensors.fromFlat(DType.FLOAT32, new double[] {1, 2, 3}, 3))
                            .scaled(0.5)
                            .batches(8, 1, 0)),
                    copies(ahead.centred(Tensors.fromFlat(DType.FLOAT32, new double[] {1, 2, 3}, 3))
                            .scaled(0.5)
                            .batches(8, 1, 0)));
            awaitNoThreads(ahead);
        }
    }

    @Test
    void shardedPartsSideBySideGiveTheSameBatchesWithAndWithoutReadAhead() throws Exception {
        writeShards(dir.resolve("in"), 0, 37, 5, 100);
        writeShards(dir.resolve("out"), 1000, 37, 5, 100);
        try (ShardedDataset inAhead = open(dir.resolve("in"), true);
                ShardedDataset outAhead = open(dir.resolve("out"), true);
                ShardedDataset in = open(dir.resolve("in"), false);
                ShardedDataset out = open(dir.resolve("out"), false)) {
            SideBySideDataset ahead = SideBySideDataset.of(List.of(inAhead, outAhead));
            SideBySideDataset mixed = SideBySideDataset.of(List.of(in, outAhead));
            SideBySideDataset inline = SideBySideDataset.of(List.of(in, out));
            for (int epoch = 0; epoch < 2; epoch++) {
                List<float[][]> expected = copies(inline.batches(11, 7, epoch));
                assertSameBatches(expected, copies(ahead.batches(11, 7, epoch)));
                assertSameBatches(expected, copies(mixed.batches(11, 7, epoch)));
                for (float[][] batch : expected) {
                    for (float[] row : batch) {
                        assertEquals(row[0] + 1000, row[3], "row " + row[0] + " paired with row " + (row[3] - 1000));
                    }
                }
            }
        }
    }

    /** The batches read before {@code batches} throws, and what it throws. */
    private static RuntimeException failureAfter(Iterable<INDArray> batches, List<Integer> read) {
        Iterator<INDArray> it = batches.iterator();
        return assertThrows(RuntimeException.class, () -> {
            while (it.hasNext()) {
                it.next();
                read.add(1);
            }
        });
    }

    @Test
    void aNonFiniteValueFoundAheadIsThrownByTheSameBatchAsWithoutReadAhead() throws Exception {
        writeShards(dir, 0, 40);
        double[][] rows = new double[30][];
        for (int k = 0; k < 30; k++) {
            rows[k] = new double[] {40 + k, 401 + 10 * k, -40 - k};
        }
        rows[25][1] = Double.POSITIVE_INFINITY;
        Npy.write(dir.resolve("shard-01.npy"), Tensors.matrix(DType.FLOAT32, rows));
        try (ShardedDataset ahead = open(dir, true);
                ShardedDataset inline = open(dir, false)) {
            for (boolean shuffled : new boolean[] {true, false}) {
                List<Integer> readAhead = new ArrayList<>();
                List<Integer> readInline = new ArrayList<>();
                RuntimeException expected =
                        failureAfter(shuffled ? inline.batches(4, 3, 0) : inline.batchesInOrder(4), readInline);
                RuntimeException actual =
                        failureAfter(shuffled ? ahead.batches(4, 3, 0) : ahead.batchesInOrder(4), readAhead);
                assertEquals(NonFiniteValueException.class, actual.getClass());
                assertEquals(expected.getMessage(), actual.getMessage());
                assertEquals(readInline.size(), readAhead.size(), "batches before the failure");
            }
            awaitNoThreads(ahead);
        }
    }

    @Test
    void aShardTruncatedAfterOpeningFailsInTheTrainingThreadWithTheSameMessage() throws Exception {
        writeShards(dir, 0, 20, 20);
        try (ShardedDataset ahead = open(dir, true);
                ShardedDataset inline = open(dir, false)) {
            try (RandomAccessFile f =
                    new RandomAccessFile(dir.resolve("shard-01.npy").toFile(), "rw")) {
                f.setLength(f.length() - 12);
            }
            List<Integer> readAhead = new ArrayList<>();
            List<Integer> readInline = new ArrayList<>();
            RuntimeException expected = failureAfter(inline.batchesInOrder(6), readInline);
            RuntimeException actual = failureAfter(ahead.batchesInOrder(6), readAhead);
            assertEquals(java.io.UncheckedIOException.class, actual.getClass());
            assertEquals(MalformedFileException.class, actual.getCause().getClass());
            assertEquals(expected.getClass(), actual.getClass());
            assertEquals(expected.getMessage(), actual.getMessage());
            assertTrue(actual.getMessage().contains("changed while the data set was open"), actual.getMessage());
            assertEquals(readInline.size(), readAhead.size());
            awaitNoThreads(ahead);
        }
    }

    @Test
    void closingTheDataSetMidEpochStopsItsThreadAndTheIteratorSaysSo() throws Exception {
        writeShards(dir, 0, 100, 100);
        ShardedDataset data = open(dir, true);
        Iterator<INDArray> it = data.batches(5, 0, 0).iterator();
        it.next();
        assertEquals(1, data.readAheadThreads());
        data.close();
        assertEquals(0, data.readAheadThreads(), "close() waits for the thread to end");
        IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
        assertTrue(e.getMessage().contains("was closed"), e.getMessage());
    }

    @Test
    void anIteratorAbandonedMidEpochLeavesNoThreadRunning() throws Exception {
        writeShards(dir, 0, 100, 100);
        try (ShardedDataset data = open(dir, true)) {
            abandonAfterOneBatch(data);
            awaitNoThreads(data);
        }
    }

    private static void abandonAfterOneBatch(ShardedDataset data) {
        Iterator<INDArray> it = data.batches(5, 0, 0).iterator();
        it.next();
        assertEquals(1, data.readAheadThreads());
    }

    @Test
    void theMemoryEstimateCountsTheBatchesAssembledAhead() throws Exception {
        writeShards(dir, 0, 100, 100);
        try (ShardedDataset ahead = open(dir, true);
                ShardedDataset inline = open(dir, false)) {
            long batch = 10L * 3 * 4; // 10 rows of 3 float32 values
            assertEquals(ahead.bufferBytes() + ReadAhead.DEPTH * batch, ahead.memoryBytes(10));
            assertEquals(inline.bufferBytes() + batch, inline.memoryBytes(10));
        }
    }
}
