package dev.saekit.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Each built-in projection on a hand-worked matrix, in float64. */
class NormalizationTest {
    private static final double EPS = Normalization.ROW_EPSILON;

    private static double[][] project(Normalization n, double[][] rows) {
        INDArray w = Tensors.matrix(DType.FLOAT64, rows);
        n.projectInPlace(w);
        return w.toDoubleMatrix();
    }

    /** A projected entry is a norm, a sum with the epsilon and a division of values up to 1 away from its exact value. */
    private static void assertRows(double[][] expected, double[][] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], Tolerance.f64(1, 3), "row " + i);
        }
    }

    @Test
    void l2DividesEachRowByItsNormPlusEpsilon() {
        // row norms: |(3, 4)| = 5, |(0, -2)| = 2
        double[][] w = project(Normalization.L2, new double[][] {{3, 4}, {0, -2}});
        assertRows(new double[][] {{3 / (5 + EPS), 4 / (5 + EPS)}, {0, -2 / (2 + EPS)}}, w);
        // the epsilon is visible in float64: 0.6 - 3 / (5 + 1e-8) = 0.6 * 1e-8 / 5 = 1.2e-9
        assertEquals(1.2e-9, 0.6 - w[0][0], Tolerance.f64(1, 4));
    }

    @Test
    void l1DividesEachRowByItsL1NormPlusEpsilon() {
        // row l1 norms: |3| + |-1| = 4, |1| + |1| = 2
        double[][] w = project(Normalization.L1, new double[][] {{3, -1}, {1, 1}});
        assertRows(new double[][] {{3 / (4 + EPS), -1 / (4 + EPS)}, {1 / (2 + EPS), 1 / (2 + EPS)}}, w);
    }

    @Test
    void maxL2DividesEveryRowByTheLargestRowNormWithoutEpsilon() {
        // row norms 5 and 2: both rows divided by 5 exactly
        double[][] w = project(Normalization.MAX_L2, new double[][] {{3, 4}, {0, -2}, {1, 0}});
        assertRows(new double[][] {{0.6, 0.8}, {0, -0.4}, {0.2, 0}}, w);
        assertEquals(0.6, w[0][0], 0.0);
    }

    @Test
    void maxL1DividesEveryRowByTheLargestRowL1NormWithoutEpsilon() {
        // row l1 norms 4 and 2: both rows divided by 4 exactly
        double[][] w = project(Normalization.MAX_L1, new double[][] {{3, -1}, {1, 1}});
        assertRows(new double[][] {{0.75, -0.25}, {0.25, 0.25}}, w);
    }

    @Test
    void identityLeavesTheWeightsAlone() {
        double[][] w = project(Normalization.IDENTITY, new double[][] {{3, 4}, {0, -2}});
        assertRows(new double[][] {{3, 4}, {0, -2}}, w);
    }

    @Test
    void namesParseAsOvercompleteSpellsThem() {
        assertEquals(Normalization.MAX_L2, Normalization.parse("max_l2"));
        assertEquals(Normalization.MAX_L1, Normalization.parse("Max-L1"));
        assertEquals("l2", Normalization.L2.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Normalization.parse("l3"));
        assertEquals(
                "unknown dictionary normalization 'l3'; accepted: l2, max_l2, l1, max_l1, identity", e.getMessage());
    }
}
