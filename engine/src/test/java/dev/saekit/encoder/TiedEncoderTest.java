package dev.saekit.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.Normalization;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;

/** The tied encoder {@code z = relu(x D^T (+ b))}, sharing the dictionary and its multiplier. */
class TiedEncoderTest {

    private static DictionaryLayer dictionary() {
        // D = [[1, 0], [1, 1], [0, -1]] (identity projection), times exp(m) = 2
        DictionaryLayer d = DictionaryLayer.fromInitializer(
                Tensors.matrix(DType.FLOAT64, new double[][] {{1, 0}, {1, 1}, {0, -1}}),
                new DictionaryConfig(Normalization.IDENTITY, true),
                DType.FLOAT64);
        d.multiplier().assign(Tensors.scalar(DType.FLOAT64, Math.log(2)));
        return d;
    }

    @Test
    void preCodesAreTheInputTimesTheScaledDictionaryTransposed() {
        // x = (3, -1): x @ D^T = (3, 2, 1), times 2 = (6, 4, 2); bias (-7, 0, 0) -> (-1, 4, 2)
        TiedEncoder e = new TiedEncoder(dictionary(), true);
        e.parameters().get(0).assign(Tensors.fromFlat(DType.FLOAT64, new double[] {-7, 0, 0}, 3));
        Codes c = e.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{3, -1}}));
        // exp(ln 2) is 2 within an ulp or two; then a dot of two terms, the scale and the bias, at up to 7
        assertArrayEquals(new double[] {-1, 4, 2}, c.preCodes().toDoubleMatrix()[0], Tolerance.f64(7, 6));
        assertArrayEquals(new double[] {0, 4, 2}, c.codes().toDoubleMatrix()[0], Tolerance.f64(7, 6));
    }

    @Test
    void theBiasIsOptionalAndStartsAtZero() {
        TiedEncoder withBias = new TiedEncoder(dictionary(), true);
        assertTrue(withBias.hasBias());
        assertEquals(TiedEncoder.BIAS, withBias.parameters().get(0).name());
        assertEquals(0.0, withBias.parameters().get(0).value().amaxNumber().doubleValue(), 0.0);
        assertEquals(0, new TiedEncoder(dictionary(), false).parameters().size());
    }

    @Test
    void backwardAccumulatesIntoTheDictionary() {
        // dL/dz_pre = (1, 1, 1) where every pre-code is positive: dL/dD_ij = x_j, so dL/dW = 2 * x per atom
        DictionaryLayer d = dictionary();
        TiedEncoder e = new TiedEncoder(d, false);
        e.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{3, -1}}));
        e.backward(null, Tensors.ones(DType.FLOAT64, 1, 3));
        assertArrayEquals(
                new double[] {6, -2, 6, -2, 6, -2},
                d.weights().grad().reshape(6).toDoubleVector(),
                Tolerance.f64(6, 4));
        // dL/dm = sum(dL/dD * D) = sum of the pre-codes = 6 + 4 + 2: six products, summed
        assertEquals(12.0, d.multiplier().grad().getDouble(0), Tolerance.f64(12, 10));
    }

    @Test
    void backwardBeforeForwardIsAnIllegalState() {
        TiedEncoder e = new TiedEncoder(dictionary(), false);
        assertThrows(IllegalStateException.class, () -> e.backward(Tensors.zeros(DType.FLOAT64, 1, 3), null));
    }
}
