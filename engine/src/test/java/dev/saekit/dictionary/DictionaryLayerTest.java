package dev.saekit.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The default dictionary: projection per fetch, fused evaluation cache, gradients, initialisation. */
class DictionaryLayerTest {

    private static DictionaryLayer dictionary(double[][] rows, Normalization n, boolean multiplier) {
        return DictionaryLayer.fromInitializer(
                Tensors.matrix(DType.FLOAT64, rows), new DictionaryConfig(n, multiplier), DType.FLOAT64);
    }

    private static double[] row0(DictionaryLayer d) {
        return d.weights().value().getRow(0).toDoubleVector();
    }

    @Test
    void aTrainingFetchShrinksUnitAtomsByOnePlusEpsilonInFloat64() {
        DictionaryLayer d = dictionary(new double[][] {{1, 0}, {0, 1}}, Normalization.L2, false);
        INDArray got = d.get();
        // (1, 0) / (|(1, 0)| + 1e-8) = (1 / (1 + 1e-8), 0): visible in float64 (norm, +eps, divide: 3 roundings)
        assertEquals(1 / (1 + Normalization.ROW_EPSILON), row0(d)[0], Tolerance.f64(1, 3));
        assertEquals(1 / (1 + Normalization.ROW_EPSILON), got.getDouble(0, 0), Tolerance.f64(1, 3));
        assertTrue(1 - row0(d)[0] > 0.99e-8, "shrunk by " + (1 - row0(d)[0]));
    }

    @Test
    void aProjectedAtomIsAFixedPointOfTheNextFetches() {
        // r = 1 / (1 + e) has norm ~ 1 - e, so the next fetch divides by (1 - e) + e = 1 (up to e^2 = 1e-16):
        // the atoms settle at norm 1 - 1e-8 instead of shrinking by 1 / (1 + 1e-8) at every call
        DictionaryLayer d = dictionary(new double[][] {{1, 0}, {0.6, 0.8}}, Normalization.L2, false);
        d.get();
        double[] once = row0(d);
        for (int call = 2; call <= 4; call++) {
            d.get();
        }
        // each later fetch moves a row by e^2 and a few roundings (norm, +eps, divide)
        double perFetch = Normalization.ROW_EPSILON * Normalization.ROW_EPSILON + Tolerance.f64(1, 4);
        assertArrayEquals(once, row0(d), 3 * perFetch);
        assertEquals(1 - 1e-8, d.weights().value().getRow(1).norm2Number().doubleValue(), 4 * perFetch);
    }

    @Test
    void eachFetchReturnsACopyThatALaterFetchDoesNotChange() {
        DictionaryLayer d = dictionary(new double[][] {{3, 4}, {0, 2}}, Normalization.L2, false);
        INDArray first = d.get();
        double before = first.getDouble(0, 0);
        INDArray second = d.get();
        assertNotSame(first, second);
        assertNotSame(d.weights().value(), first);
        assertEquals(before, first.getDouble(0, 0), 0.0);
    }

    @Test
    void inFloat32AFetchOfUnchangedWeightsReturnsTheLastProjectionAndAChangeProjectsAgain() {
        DictionaryLayer d = DictionaryLayer.fromInitializer(
                Tensors.matrix(DType.FLOAT32, new double[][] {{3, 4}, {0, 2}}),
                new DictionaryConfig(Normalization.L2, false),
                DType.FLOAT32);
        INDArray first = d.get();
        long version = d.weights().version();
        assertSame(first, d.get(), "nothing changed: the forward's projection serves the loss too");
        assertEquals(version, d.weights().version(), "and the weights were not projected again");
        assertEquals(0.6, first.getDouble(0, 0), Tolerance.f32(1, 3));

        d.weights().assign(Tensors.matrix(DType.FLOAT32, new double[][] {{0, 5}, {2, 0}})); // an update
        INDArray next = d.get();
        assertEquals(0.0, next.getDouble(0, 0), 0.0);
        assertEquals(1.0, next.getDouble(0, 1), Tolerance.f32(1, 3));
        assertEquals(1.0, next.getDouble(1, 0), Tolerance.f32(1, 3));
    }

    @Test
    void evalFusesOnceAndGetNoLongerProjects() {
        DictionaryLayer d = dictionary(new double[][] {{1, 0}, {0, 1}}, Normalization.L2, false);
        d.train(false); // one projection: 1 / (1 + 1e-8)
        assertEquals(1 / (1 + Normalization.ROW_EPSILON), row0(d)[0], Tolerance.f64(1, 3));
        double[] afterEval = row0(d);
        INDArray fused = d.get();
        for (int i = 0; i < 3; i++) {
            assertSame(fused, d.get());
        }
        d.train(false); // a second eval() projects nothing
        assertArrayEquals(afterEval, row0(d), 0.0);
        assertArrayEquals(afterEval, fused.getRow(0).toDoubleVector(), 0.0);
    }

    @Test
    void loadingWeightsAfterEvalRefreshesTheFusedDictionary() {
        // overcomplete keeps the stale fused dictionary here; saekit must not
        DictionaryLayer d = dictionary(new double[][] {{1, 0}, {0, 1}}, Normalization.L2, true);
        d.train(false);
        d.get();
        d.weights().assign(Tensors.matrix(DType.FLOAT64, new double[][] {{3, 4}, {0, 2}}));
        assertArrayEquals(
                new double[] {3 / (5 + 1e-8), 4 / (5 + 1e-8)}, d.get().getRow(0).toDoubleVector(), Tolerance.f64(1, 3));
        d.multiplier().assign(Tensors.scalar(DType.FLOAT64, Math.log(2)));
        INDArray refreshed = d.get(); // refused: one more projection, then times exp(ln 2)
        // exp(ln 2) is 2 within an ulp or two, and one product more
        assertArrayEquals(
                d.weights().value().mul(2).getRow(0).toDoubleVector(),
                refreshed.getRow(0).toDoubleVector(),
                Tolerance.f64(2, 3));
        // 2 * 3 / 5, shrunk by the two projections' (1 + 1e-8)
        assertEquals(1.2, refreshed.getDouble(0, 0), 1.2 * 2 * Normalization.ROW_EPSILON + Tolerance.f64(2, 8));
    }

    @Test
    void theMultiplierScalesTheDictionaryByItsExponential() {
        DictionaryLayer d = dictionary(new double[][] {{1, 2}, {3, 4}}, Normalization.IDENTITY, true);
        d.multiplier().assign(Tensors.scalar(DType.FLOAT64, Math.log(3)));
        assertArrayEquals(
                new double[] {3, 6}, d.get().getRow(0).toDoubleVector(), Tolerance.f64(6, 3)); // log, exp, product
        assertArrayEquals(new double[] {1, 2}, row0(d), 0.0, "the raw weights are not scaled");
    }

    @Test
    void backwardSendsExpMTimesTheGradientToTheWeightsAndItsDotWithDToTheMultiplier() {
        // W = [[1, 2], [3, 4]], m = ln 2, so D = [[2, 4], [6, 8]]; dL/dD = [[1, 0], [0, -1]]
        // dL/dW = 2 * dL/dD = [[2, 0], [0, -2]];  dL/dm = sum(dL/dD * D) = 2 - 8 = -6
        DictionaryLayer d = dictionary(new double[][] {{1, 2}, {3, 4}}, Normalization.IDENTITY, true);
        d.multiplier().assign(Tensors.scalar(DType.FLOAT64, Math.log(2)));
        INDArray usedD = d.get();
        d.backward(Tensors.matrix(DType.FLOAT64, new double[][] {{1, 0}, {0, -1}}), usedD);
        assertArrayEquals(
                new double[] {2, 0, 0, -2}, d.weights().grad().reshape(4).toDoubleVector(), Tolerance.f64(2, 3));
        assertEquals(-6, d.multiplier().grad().getDouble(0), Tolerance.f64(8, 8)); // a sum of 4 products of D (up to 8)
    }

    @Test
    void backwardOuterEqualsBackwardOfTheOuterProduct() {
        SeededRandom rng = new SeededRandom(4);
        INDArray a = rng.normal(DType.FLOAT64, 1, 3, 4);
        INDArray b = rng.normal(DType.FLOAT64, 1, 3, 2);
        DictionaryLayer viaOuter = DictionaryLayer.create(
                2, 4, new DictionaryConfig(Normalization.L2, true), DType.FLOAT64, new SeededRandom(1));
        DictionaryLayer viaFull = DictionaryLayer.create(
                2, 4, new DictionaryConfig(Normalization.L2, true), DType.FLOAT64, new SeededRandom(1));
        for (DictionaryLayer d : new DictionaryLayer[] {viaOuter, viaFull}) {
            d.multiplier().assign(Tensors.scalar(DType.FLOAT64, 0.7));
        }
        viaOuter.backwardOuter(a, b, viaOuter.get());
        viaFull.backward(a.transpose().mmul(b), viaFull.get());
        // the same sums of 3 products in two orders, scaled by exp(0.7), and for the multiplier a
        // sum of 8 of them times D (|D| <= exp(0.7)): bounded by the sum of |a|^T |b| times exp(1.4)
        double magnitude = Transforms.abs(a, true)
                        .transpose()
                        .mmul(Transforms.abs(b, true))
                        .sumNumber()
                        .doubleValue()
                * Math.exp(1.4);
        assertArrayEquals(
                viaFull.weights().grad().reshape(8).toDoubleVector(),
                viaOuter.weights().grad().reshape(8).toDoubleVector(),
                Tolerance.f64(magnitude, 2 * (3 + 8)));
        assertEquals(
                viaFull.multiplier().grad().getDouble(0),
                viaOuter.multiplier().grad().getDouble(0),
                Tolerance.f64(magnitude, 2 * (3 + 8)));
        assertTrue(
                Math.abs(viaOuter.multiplier().grad().getDouble(0)) > 1e-3,
                "the multiplier gradient is not trivially 0");
    }

    @Test
    void withoutUseMultiplierTheMultiplierIsABuffer() {
        DictionaryLayer d = dictionary(new double[][] {{1, 2}}, Normalization.L2, false);
        assertTrue(!d.multiplier().isTrainable());
        assertEquals(2, d.trainableCount());
        assertThrows(IllegalStateException.class, () -> d.multiplier().grad());
    }

    @Test
    void xavierInitialisationStaysWithinItsBound() {
        // bound = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / 96) = 0.25
        DictionaryLayer d = DictionaryLayer.create(
                32, 64, new DictionaryConfig(Normalization.IDENTITY, false), DType.FLOAT64, new SeededRandom(7));
        double largest = d.weights().value().amaxNumber().doubleValue();
        assertTrue(largest <= 0.25, "largest |w| " + largest);
        assertTrue(largest > 0.24, "2048 uniform draws reach close to the bound, got " + largest);
        // the mean of 2048 draws of U(-0.25, 0.25) has standard deviation 0.25 / sqrt(3 * 2048): within 4 of them
        assertEquals(0.0, d.weights().value().meanNumber().doubleValue(), 4 * 0.25 / Math.sqrt(3 * 2048.0));
    }

    @Test
    void loadingWeightsOfTheWrongShapeNamesBothShapes() {
        DictionaryLayer d = dictionary(new double[][] {{1, 2}, {3, 4}, {5, 6}}, Normalization.L2, false);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> d.weights().assign(Tensors.zeros(DType.FLOAT64, 2, 3)));
        assertEquals("cannot load 'dictionary._weights': expected shape [3, 2], got [2, 3]", e.getMessage());
    }

    @Test
    void anInitializerThatIsNotAMatrixIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DictionaryLayer.fromInitializer(
                        Tensors.zeros(DType.FLOAT32, 2, 3, 4), DictionaryConfig.defaults(), DType.FLOAT32));
        assertTrue(
                e.getMessage().contains("[concepts, input]") && e.getMessage().contains("rank 3"), e.getMessage());
    }

    @Test
    void theInitializerIsCopiedIntoTheModelDtype() {
        INDArray init = Tensors.matrix(DType.FLOAT32, new double[][] {{1, 2}, {3, 4}});
        DictionaryLayer d = DictionaryLayer.fromInitializer(init, DictionaryConfig.defaults(), DType.FLOAT64);
        assertEquals(DType.FLOAT64, d.weights().dtype());
        d.get();
        assertEquals(1.0, init.getDouble(0, 0), 0.0, "the caller's array is not projected");
    }
}
