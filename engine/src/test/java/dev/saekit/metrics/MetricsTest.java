package dev.saekit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every batch metric on a tiny hand-worked example. */
class MetricsTest {
    // x = [[1, 2], [3, 4]], x_hat = [[1, 2], [3, 3]]: one residual of 1
    private static final INDArray X = Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}, {3, 4}});
    private static final INDArray X_HAT = Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}, {3, 3}});
    // codes: one entry below the 1e-6 threshold, one negative, column 0 never non-zero
    private static final INDArray Z = Tensors.matrix(DType.FLOAT64, new double[][] {{0, 1e-7, -2}, {0, 0, 3}});

    private static INDArray m(double[][] rows) {
        return Tensors.matrix(DType.FLOAT64, rows);
    }

    @Test
    void mseIsTheMeanOverAllEntries() {
        assertEquals(0.25, Metrics.mse(X, X_HAT), 0.0); // 1 / 4: small integers, a power-of-two mean: exact
    }

    @Test
    void r2UsesOneScalarMeanOverAllEntries() {
        // mean(x) = 2.5; mean((x - 2.5)^2) = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
        // r2 = 1 - 0.25 / (1.25 + 1e-6) = 0.8 (up to the epsilon)
        assertEquals(1 - 0.25 / (1.25 + 1e-6), Metrics.r2(X, X_HAT), Tolerance.f64(1.25, 3)); // +eps, /, 1 -
    }

    @Test
    void fvuAndExplainedVarianceUseThePerDimensionMean() {
        // column means (2, 3): total = (1 + 1) + (1 + 1) = 4, residual = 1
        // fvu = 1 / 4 = 0.25, explained variance = 0.75 (r2 with the scalar mean says ~0.8)
        assertEquals(0.25, Metrics.fvu(X, X_HAT), 0.0); // integers and powers of two: exact
        assertEquals(0.75, Metrics.explainedVariance(X, X_HAT), 0.0);
    }

    @Test
    void theL0FamilyCountsDifferentThings() {
        // non-zero: 1e-7, -2, 3 -> 3 of 6 entries
        assertEquals(0.5, Metrics.l0Fraction(Z), 0.0); // counts: exact
        // |z| >= 1e-6: -2 and 3 -> 2 of 6 entries
        assertEquals(2.0 / 6, Metrics.l0Eps(Z, 1e-6), Tolerance.f64(1, 1)); // a count over a count: one rounding
        // the same 2 entries over 2 rows -> 1 per sample
        assertEquals(1.0, Metrics.l0PerSample(Z), 0.0);
        assertEquals(1.0 / 6, Metrics.l0Eps(Z, 2.5), Tolerance.f64(1, 1), "l0Eps takes its threshold: |-2| < 2.5 <= 3");
    }

    @Test
    void theL0ThresholdsAreExact() {
        // non-zero counts even 1e-30; |z| >= 1e-6 keeps 1e-6 itself but not 0.99e-6
        INDArray z = m(new double[][] {{1e-30, 0, 0.99e-6, 1e-6}});
        assertEquals(0.75, Metrics.l0Fraction(z), 0.0); // counts over 4: exact
        assertEquals(0.25, Metrics.l0Eps(z, 1e-6), 0.0);
        assertEquals(1.0, Metrics.l0PerSample(z), 0.0);
    }

    @Test
    void deadFractionCountsColumnsThatAreZeroInEveryRow() {
        // column maxima of |z|: 0, 1e-7, 3 -> 1 of 3 concepts dead
        assertEquals(1.0 / 3, Metrics.deadFraction(Z), Tolerance.f64(1, 1)); // a count over a count: one rounding
        // a tiny code is still a code: only column 0 is dead
        assertEquals(
                1.0 / 3, Metrics.deadFraction(m(new double[][] {{0, 3e-6, 1e-30}, {0, 0, 0}})), Tolerance.f64(1, 1));
    }

    @Test
    void hoyerIsOneForOneHotRowsAndZeroForFlatOnes() {
        // c = 4, sqrt(c) = 2; row (1, 0, 0, 0): l1 = l2 = 1 -> (2 - 1 / (1 + 1e-6)) / 1 ~ 1
        // row (1, 1, 1, 1): l1 = 4, l2 = 2 -> (2 - 4 / (2 + 1e-6)) / 1 ~ 0
        INDArray z = m(new double[][] {{1, 0, 0, 0}, {1, 1, 1, 1}});
        double expected = ((2 - 1 / (1 + 1e-6)) + (2 - 4 / (2 + 1e-6))) / 2;
        assertEquals(
                expected, Metrics.hoyer(z), Tolerance.f64(4, 8)); // norms, sqrt, +eps, /, -, mean of values up to 4
        assertEquals(0.5, Metrics.hoyer(z), 2e-6, "0.5 but for the epsilons, which add (1e-6 + 2e-6) / 2");
    }

    @Test
    void kappa4IsTheMeanOfSumZ4OverSquaredSumZ2() {
        // row (1, 0): 1 / (1 + 1e-6);  row (1, 1): 2 / (2^2 + 1e-6) ~ 0.5
        INDArray z = m(new double[][] {{1, 0}, {1, 1}});
        assertEquals((1 / (1 + 1e-6) + 2 / (4 + 1e-6)) / 2, Metrics.kappa4(z), Tolerance.f64(4, 6));
    }

    @Test
    void l1L2RatioIsAveragedOverRows() {
        INDArray z = m(new double[][] {{1, 0, 0, 0}, {1, 1, 1, 1}});
        assertEquals((1 / (1 + 1e-6) + 4 / (2 + 1e-6)) / 2, Metrics.l1L2Ratio(z), Tolerance.f64(4, 8));
    }

    @Test
    void cosineSimilarityIsAveragedOverRows() {
        // row 0: x = (1, 0), x_hat = (2, 0) -> 2 / (1 * 2 + 1e-8) ~ 1
        // row 1: x = (1, 1), x_hat = (1, -1) -> 0
        INDArray x = m(new double[][] {{1, 0}, {1, 1}});
        INDArray xHat = m(new double[][] {{2, 0}, {1, -1}});
        assertEquals((2 / (2 + 1e-8)) / 2, Metrics.cosineSimilarity(x, xHat), Tolerance.f64(2, 8));
    }

    @Test
    void cosineSimilarityWorksOnASingleColumn() {
        // one-dimensional rows: the cosine is the sign of x * x_hat (2, -1 -> -1; 3, 1 -> 1)
        INDArray x = m(new double[][] {{2}, {3}});
        INDArray xHat = m(new double[][] {{-1}, {1}});
        assertEquals((-2 / (2 + 1e-8) + 3 / (3 + 1e-8)) / 2, Metrics.cosineSimilarity(x, xHat), Tolerance.f64(3, 8));
    }

    @Test
    void noMetricModifiesItsArguments() {
        INDArray z = Z.dup();
        INDArray x = X.dup();
        Metrics.hoyer(z);
        Metrics.kappa4(z);
        Metrics.deadFraction(z);
        Metrics.r2(x, X_HAT);
        Metrics.cosineSimilarity(x, X_HAT);
        assertEquals(Z, z);
        assertEquals(X, x);
    }

    @Test
    void reconstructionsOfAnotherShapeOrDtypeAreRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Metrics.mse(X, Tensors.zeros(DType.FLOAT64, 2, 3)));
        assertEquals("inputs and reconstructions must have the same shape, were [2, 2] and [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Metrics.fvu(X, X_HAT.castTo(DType.FLOAT32.nd4j())));
        assertTrue(e.getMessage().contains("must be float64"), e.getMessage());
    }
}
