package dev.saekit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Validation of an in-memory data set and its seeded, shuffled mini-batches. */
class InMemoryDatasetTest {
    private static final int ROWS = 10;

    /** Row i is (i, 100 + i, 1000 + i): a batch row tells which source row it claims to be. */
    private static InMemoryDataset numbered() {
        double[][] rows = new double[ROWS][];
        for (int i = 0; i < ROWS; i++) {
            rows[i] = new double[] {i, 100 + i, 1000 + i};
        }
        return InMemoryDataset.of(Tensors.matrix(DType.FLOAT32, rows), "numbered");
    }

    /** The source row of each batch row, in order; checks that every column matches that row. */
    private static List<List<Integer>> epoch(Dataset data, int batchSize, long seed, int epoch) {
        List<List<Integer>> batches = new ArrayList<>();
        for (INDArray batch : data.batches(batchSize, seed, epoch)) {
            List<Integer> ids = new ArrayList<>();
            for (double[] row : batch.toDoubleMatrix()) {
                int id = (int) row[0];
                assertArrayEquals(
                        new double[] {id, 100 + id, 1000 + id}, row, 0.0, "batch row claiming source row " + id);
                ids.add(id);
            }
            batches.add(ids);
        }
        return batches;
    }

    private static String errorOf(INDArray m) {
        return assertThrows(IllegalArgumentException.class, () -> InMemoryDataset.of(m, "acts"))
                .getMessage();
    }

    @Test
    void aNanIsReportedWithItsRowAndColumn() {
        INDArray m = Tensors.ones(DType.FLOAT32, 4, 3);
        m.putScalar(2, 1, Double.NaN);
        assertEquals(
                "data set acts has NaN at row 2, column 1; remove or impute such rows before training", errorOf(m));
    }

    @Test
    void anInfinityIsReportedWithItsRowAndColumn() {
        INDArray m = Tensors.ones(DType.FLOAT64, 4, 3);
        m.putScalar(3, 0, Double.NEGATIVE_INFINITY);
        m.putScalar(1, 2, Double.POSITIVE_INFINITY);
        assertEquals(
                "data set acts has Infinity at row 1, column 2; remove or impute such rows before training",
                errorOf(m));
    }

    @Test
    void emptyDataIsRefused() {
        String e = errorOf(Nd4j.create(DataType.FLOAT, 0, 3));
        assertTrue(e.contains("acts is empty") && e.contains("[0, 3]"), e);
    }

    @Test
    void dataThatIsNotAMatrixIsRefused() {
        assertEquals(
                "data of acts must be a matrix [rows, cols], was shape [6]", errorOf(Tensors.ones(DType.FLOAT32, 6)));
        assertEquals(
                "data of acts must be a matrix [rows, cols], was shape [2, 3, 4]",
                errorOf(Tensors.ones(DType.FLOAT32, 2, 3, 4)));
    }

    @Test
    void labelsMustMatchTheRows() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> InMemoryDataset.of(Tensors.ones(DType.FLOAT32, 3, 2), List.of("a", "b"), "acts"));
        assertEquals("acts has 3 rows but 2 labels", e.getMessage());
        assertEquals(
                List.of("a", "b", "c"),
                InMemoryDataset.of(Tensors.ones(DType.FLOAT32, 3, 2), List.of("a", "b", "c"), "acts")
                        .labels()
                        .orElseThrow());
    }

    @Test
    void everyRowAppearsExactlyOncePerEpochWithAShortLastBatch() {
        List<List<Integer>> batches = epoch(numbered(), 4, 7, 0);
        assertEquals(List.of(4, 4, 2), batches.stream().map(List::size).toList());
        int[] seen = batches.stream()
                .flatMap(List::stream)
                .mapToInt(Integer::intValue)
                .sorted()
                .toArray();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen);
    }

    @Test
    void theOrderIsShuffledAndFixedBySeedAndEpoch() {
        InMemoryDataset data = numbered();
        List<List<Integer>> first = epoch(data, 3, 7, 0);
        assertEquals(first, epoch(data, 3, 7, 0), "same seed and epoch: same order");
        assertNotEquals(first, epoch(data, 3, 7, 1), "another epoch: another order");
        assertNotEquals(first, epoch(data, 3, 8, 0), "another seed: another order");
        assertNotEquals(List.of(0, 1, 2), first.get(0), "the rows are shuffled");
    }

    @Test
    void theIterableCanBeIteratedAgainAndEachIteratorStopsAtTheEnd() {
        Iterable<INDArray> batches = numbered().batches(6, 1, 0);
        Iterator<INDArray> it = batches.iterator();
        double firstRow = it.next().getDouble(0, 0);
        it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        assertEquals(firstRow, batches.iterator().next().getDouble(0, 0), 0.0);
    }

    @Test
    void aBatchSizeBelowOneIsRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> numbered().batches(0, 1, 0));
        assertEquals("batchSize must be > 0, was 0", e.getMessage());
    }

    @Test
    void float64StaysFloat64AndOtherTypesBecomeFloat32() {
        assertEquals(
                DType.FLOAT64,
                InMemoryDataset.of(Tensors.ones(DType.FLOAT64, 2, 2), "d").dtype());
        INDArray ints = Nd4j.createFromArray(new int[][] {{1, 2}, {3, 4}});
        InMemoryDataset fromInts = InMemoryDataset.of(ints, "ints");
        assertEquals(DType.FLOAT32, fromInts.dtype());
        assertArrayEquals(new double[] {3, 4}, fromInts.matrix().getRow(1).toDoubleVector(), 0.0);
        assertEquals(DType.FLOAT64, fromInts.withDType(DType.FLOAT64).dtype());
    }

    @Test
    void aViewIsCopiedSoTheSourceCanChangeLater() {
        INDArray big = Tensors.ones(DType.FLOAT32, 4, 3);
        InMemoryDataset data = InMemoryDataset.of(big.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()), "view");
        big.assign(5);
        assertEquals(1.0, data.matrix().maxNumber().doubleValue(), 0.0);
        assertEquals("InMemoryDataset[view, 2 x 3, float32]", data.toString());
    }

    @Test
    void aSampleHoldsDistinctRowsInRowOrderAndTheDefaultReadsTheSameRows() {
        InMemoryDataset data = numbered();
        INDArray sample = data.sample(4, 11);
        assertArrayEquals(new long[] {4, 3}, sample.shape());
        double[] ids = sample.getColumn(0).toDoubleVector();
        for (int i = 0; i < ids.length; i++) {
            assertEquals(100 + ids[i], sample.getDouble(i, 1), 0.0, "whole rows are copied");
            assertTrue(i == 0 || ids[i] > ids[i - 1], "distinct and in row order: " + java.util.Arrays.toString(ids));
        }
        Tolerance.assertIdentical(sample, data.sample(4, 11), "the seed fixes the rows");
        assertEquals(10, data.sample(50, 1).rows(), "every row when more are asked for");
        Dataset streamed = new Dataset() { // only the interface's defaults: one pass over the ordered batches
                    public long rows() {
                        return data.rows();
                    }

                    public int cols() {
                        return data.cols();
                    }

                    public DType dtype() {
                        return data.dtype();
                    }

                    public Iterable<INDArray> batches(int batchSize, long seed, int epoch) {
                        return data.batches(batchSize, seed, epoch);
                    }

                    public Iterable<INDArray> batchesInOrder(int batchSize) {
                        return data.batchesInOrder(3);
                    }

                    public String description() {
                        return "streamed";
                    }
                };
        Tolerance.assertIdentical(sample, streamed.sample(4, 11), "the streamed sample");
        assertThrows(IllegalArgumentException.class, () -> data.sample(0, 1));
    }
}
