package dev.saekit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Npy;
import dev.saekit.io.ShardedDataset;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Data sets read side by side keep each example's row together in every shuffled epoch, in memory
 * and streamed from shards; parts that cannot be paired (other lengths, other row orders) are
 * refused with both named.
 */
class SideBySideDatasetTest {

    /** Rows {@code [r, 10 r]} of the input and {@code [1000 + r]} of the target, for {@code r} from {@code from}. */
    private static INDArray rows(int from, int n, boolean target) {
        double[][] v = new double[n][];
        for (int i = 0; i < n; i++) {
            int r = from + i;
            v[i] = target ? new double[] {1000 + r} : new double[] {r, 10 * r};
        }
        return Tensors.matrix(DType.FLOAT32, v);
    }

    /** Every row of every batch is {@code [r, 10 r, 1000 + r]}, and every r comes once per epoch. */
    private static void assertPaired(Dataset joined, int rows, Iterable<INDArray> batches) {
        boolean[] seen = new boolean[rows];
        int count = 0;
        for (INDArray b : batches) {
            assertEquals(3, b.columns());
            for (int i = 0; i < b.rows(); i++) {
                int r = (int) b.getDouble(i, 0);
                assertEquals(10.0 * r, b.getDouble(i, 1), "the input's own columns stay together");
                assertEquals(1000.0 + r, b.getDouble(i, 2), () -> "row " + r + " is paired with its own target");
                assertTrue(!seen[r], "row " + r + " comes once");
                seen[r] = true;
                count++;
            }
        }
        assertEquals(rows, count, joined.description());
    }

    @Test
    void inMemoryDataSetsStayPairedInShuffledEpochs() {
        SideBySideDataset joined = SideBySideDataset.of(
                List.of(InMemoryDataset.of(rows(0, 50, false), "in"), InMemoryDataset.of(rows(0, 50, true), "out")));
        assertEquals(3, joined.cols());
        for (int epoch = 0; epoch < 3; epoch++) {
            assertPaired(joined, 50, joined.batches(8, 7, epoch));
        }
        assertPaired(joined, 50, joined.batchesInOrder(16));
        INDArray sample = joined.sample(10, 3);
        for (int i = 0; i < sample.rows(); i++) {
            assertEquals(1000 + sample.getDouble(i, 0), sample.getDouble(i, 2), "a sample keeps rows paired");
        }
    }

    @Test
    void shardsCutTheSameWayStayPairedInShuffledEpochs(@TempDir Path dir) throws IOException {
        int[] shardRows = {13, 20, 7};
        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = Files.createDirectories(dir.resolve("out"));
        int from = 0;
        for (int s = 0; s < shardRows.length; s++) {
            Npy.write(in.resolve("shard-" + s + ".npy"), rows(from, shardRows[s], false));
            Npy.write(out.resolve("shard-" + s + ".npy"), rows(from, shardRows[s], true));
            from += shardRows[s];
        }
        try (ShardedDataset a = open(in);
                ShardedDataset b = open(out)) {
            SideBySideDataset joined = SideBySideDataset.of(List.of(a, b));
            for (int epoch = 0; epoch < 3; epoch++) {
                assertPaired(joined, from, joined.batches(6, 11, epoch));
            }
            assertPaired(joined, from, joined.batchesInOrder(9));
        }
    }

    @Test
    void partsThatCannotBePairedAreRefusedWithBothNamed(@TempDir Path dir) throws IOException {
        IllegalArgumentException lengths = assertThrows(
                IllegalArgumentException.class,
                () -> SideBySideDataset.of(List.of(
                        InMemoryDataset.of(rows(0, 50, false), "in"), InMemoryDataset.of(rows(0, 49, true), "out"))));
        assertTrue(lengths.getMessage().contains("50") && lengths.getMessage().contains("49"), lengths.getMessage());

        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Npy.write(in.resolve("shard-0.npy"), rows(0, 30, false));
        Npy.write(out.resolve("shard-0.npy"), rows(0, 10, true));
        Npy.write(out.resolve("shard-1.npy"), rows(10, 20, true));
        try (ShardedDataset a = open(in);
                ShardedDataset b = open(out)) {
            IllegalArgumentException layouts =
                    assertThrows(IllegalArgumentException.class, () -> SideBySideDataset.of(List.of(a, b)));
            assertTrue(
                    layouts.getMessage().contains("[30]")
                            && layouts.getMessage().contains("[10, 20]"),
                    layouts.getMessage());
            IllegalArgumentException mixed = assertThrows(
                    IllegalArgumentException.class,
                    () -> SideBySideDataset.of(List.of(a, InMemoryDataset.of(rows(0, 30, true), "memory"))));
            assertTrue(mixed.getMessage().contains("in memory"), mixed.getMessage());
        }
    }

    private static ShardedDataset open(Path dir) throws IOException {
        return ShardedDataset.builder(dir.toString()).bufferRows(8).chunkRows(4).build();
    }
}
