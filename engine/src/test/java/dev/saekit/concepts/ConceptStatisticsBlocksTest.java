package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.saekit.concepts.ConceptStatistics.Settings;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The same rows in one block, in many blocks of random sizes, or dense, give the same statistics. */
class ConceptStatisticsBlocksTest {
    private static final int ROWS = 500;
    private static final int CONCEPTS = 12;
    private static final Settings SETTINGS =
            Settings.of(CONCEPTS).withTop(5).withSamples(8).withLabelSlots(16);
    private final SparseRows data = new SparseRows(11, ROWS, CONCEPTS, 10);

    @Test
    void oneBlockOrManyAgreeOnEverythingButTheRoundingOfLabelSums() {
        ConceptStatistics one = new ConceptStatistics(SETTINGS);
        data.add(one, 0, ROWS);
        for (long seed = 0; seed < 5; seed++) {
            ConceptStatistics many = new ConceptStatistics(SETTINGS);
            data.addInBlocks(many, 0, ROWS, new Random(seed));
            Expect.sameExactPartsAndLabelCounts(one, many);
            for (int c = 0; c < CONCEPTS; c++) { // rows come in the same order: the sums add in the same order
                assertEquals(one.sum[c], many.sum[c]);
                assertEquals(one.sumSquares[c], many.sumSquares[c]);
            }
        }
    }

    @Test
    void withoutLabelsOneBlockOrManyAreEqualBitForBit() {
        ConceptStatistics one = new ConceptStatistics(SETTINGS.withLabelSlots(0));
        data.add(one, 0, ROWS);
        ConceptStatistics many = new ConceptStatistics(SETTINGS.withLabelSlots(0));
        data.addInBlocks(many, 0, ROWS, new Random(1));
        assertEquals(one, many);
    }

    @Test
    void blocksWithoutLabelsLeaveTheLabelSummariesAlone() {
        ConceptStatistics s = new ConceptStatistics(SETTINGS);
        SparseRows.Csr b = data.csr(0, ROWS);
        s.add(0, ROWS, b.indptr(), b.indices(), b.values(), null);
        for (int c = 0; c < CONCEPTS; c++) {
            assertEquals(0, s.labels(c).size());
        }
        ConceptStatistics labelled = new ConceptStatistics(SETTINGS);
        data.add(labelled, 0, ROWS);
        Expect.sameExactParts(labelled, s);
    }

    @Test
    void denseBlocksEqualTheSameSparseBlocksBitForBit() {
        ConceptStatistics sparse = new ConceptStatistics(SETTINGS);
        ConceptStatistics dense = new ConceptStatistics(SETTINGS);
        ConceptStatistics denseDouble = new ConceptStatistics(SETTINGS);
        Random rng = new Random(5);
        for (int r = 0; r < ROWS; ) {
            int end = Math.min(ROWS, r + 1 + rng.nextInt(80));
            data.add(sparse, r, end);
            dense.addDense(r, data.dense(r, end), data.labels(r, end));
            INDArray f64 = Tensors.copy(data.dense(r, end), DType.FLOAT64);
            denseDouble.addDense(r, f64, data.labels(r, end));
            r = end;
        }
        assertEquals(sparse, dense);
        assertEquals(sparse, denseDouble);
    }

    @Test
    void aTransposedViewIsReadAsItsValues() {
        ConceptStatistics sparse = new ConceptStatistics(SETTINGS);
        data.add(sparse, 0, ROWS);
        ConceptStatistics view = new ConceptStatistics(SETTINGS);
        INDArray transposedTwice = data.dense(0, ROWS).transpose().dup('c').transpose();
        view.addDense(0, transposedTwice, data.labels(0, ROWS));
        assertEquals(sparse, view);
    }

    @Test
    void equalityNoticesADifferentRow() {
        ConceptStatistics a = new ConceptStatistics(SETTINGS);
        data.add(a, 0, ROWS);
        ConceptStatistics b = new ConceptStatistics(SETTINGS);
        data.add(b, 0, ROWS - 1);
        assertNotEquals(a, b);
        b.add(ROWS - 1, 1, new int[] {0, 0}, new int[0], new float[0], new int[] {0});
        assertEquals(a.rows(), b.rows());
        if (data.index[ROWS - 1].length > 0) {
            assertNotEquals(a, b);
        }
    }
}
