package dev.saekit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The fused Adam step against the update written out element by element (200,000 elements: several chunks), with and without a gradient scale. */
class AdamKernelTest {

    @ParameterizedTest
    @CsvSource({
        "FLOAT32, false, 1.0",
        "FLOAT32, true, 1.0",
        "FLOAT64, false, 1.0",
        "FLOAT64, true, 1.0",
        "FLOAT32, false, 0.3",
        "FLOAT64, true, 0.3"
    })
    void everyElementFollowsTheFormula(DType type, boolean decoupled, double scale) {
        SeededRandom rng = new SeededRandom(2);
        int n = 200_000;
        INDArray w = rng.normal(type, 1.0, n);
        INDArray g = rng.normal(type, 1.0, n);
        INDArray m = rng.normal(type, 0.1, n);
        INDArray v = rng.normal(type, 0.1, n);
        v.muli(v);
        double[] w0 = w.toDoubleVector(), g0 = g.toDoubleVector(), m0 = m.toDoubleVector(), v0 = v.toDoubleVector();
        double lr = 1e-3,
                b1 = 0.9,
                b2 = 0.999,
                eps = 1e-8,
                wd = 0.01,
                bc1 = 1 - Math.pow(b1, 3),
                bc2 = Math.sqrt(1 - Math.pow(b2, 3));
        AdamKernel.step(w, g, m, v, lr, b1, b2, eps, bc1, bc2, wd, decoupled, scale);
        assertEquals(g0[12345], g.getDouble(12345), 0.0, "the gradient itself is left as it was");
        for (int i = 0; i < n; i += 997) {
            double wi = decoupled ? w0[i] * (1 - lr * wd) : w0[i];
            double gi = decoupled ? scale * g0[i] : scale * g0[i] + wd * w0[i];
            double mi = b1 * m0[i] + (1 - b1) * gi;
            double vi = b2 * v0[i] + (1 - b2) * gi * gi;
            // each moment: the gradient (with its decay term), two products and a sum, of values up
            // to the moment's terms; 1 - beta is rounded at magnitude 1 and multiplies g (or g^2)
            double gMagnitude = Math.abs(scale * g0[i]) + Math.abs(wd * w0[i]);
            assertEquals(mi, m.getDouble(i), Tolerance.of(type, Math.abs(b1 * m0[i]) + gMagnitude, 5), "m at " + i);
            assertEquals(
                    vi,
                    v.getDouble(i),
                    Tolerance.of(type, Math.abs(b2 * v0[i]) + gMagnitude * gMagnitude, 7),
                    "v at " + i);
            double update = lr / bc1 * mi / (Math.sqrt(vi) / bc2 + eps);
            double expected = wi - update;
            // the update: the moments' relative errors, square root, bias corrections, epsilon, division, product
            double relative = Tolerance.of(type, 1, 5)
                            / Math.max(Math.abs(mi), Double.MIN_NORMAL)
                            * (Math.abs(b1 * m0[i]) + gMagnitude)
                    + Tolerance.of(type, 1, 7)
                            / Math.max(vi, Double.MIN_NORMAL)
                            * (Math.abs(b2 * v0[i]) + gMagnitude * gMagnitude)
                    + Tolerance.of(type, 1, 8);
            assertEquals(
                    expected,
                    w.getDouble(i),
                    Tolerance.of(type, Math.abs(w0[i]), 3) + Math.abs(update) * relative,
                    "w at " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32", "FLOAT64"})
    void viewsAndMixedTypesAreLeftToTheGeneralPath(DType type) {
        INDArray a = new SeededRandom(1).normal(type, 1.0, 4, 6);
        assertTrue(AdamKernel.supports(a, a.dup(), a.dup(), a.dup()));
        assertFalse(AdamKernel.supports(a.getColumn(1), a.getColumn(2), a.getColumn(3), a.getColumn(4)));
        DType other = type == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        assertFalse(AdamKernel.supports(a, a.castTo(other.nd4j()), a.dup(), a.dup()));
    }
}
