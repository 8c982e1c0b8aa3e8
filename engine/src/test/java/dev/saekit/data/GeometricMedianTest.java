package dev.saekit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class GeometricMedianTest {

    /**
     * The triangle A(-1, 0), B(1, 0), C(0, 2) has every angle below 120 degrees, so its geometric median
     * is its Fermat point, where AB subtends 120 degrees: by symmetry P = (0, y) with
     * tan(60 deg) = 1 / y, so y = 1 / sqrt(3). Weiszfeld's iteration contracts linearly here; run to a
     * move of 1e-14, it is within a few 1e-13 of P (each step's rounding is a few ulps of 2).
     */
    @Test
    void theMedianOfATriangleIsItsFermatPoint() {
        INDArray x = Nd4j.createFromArray(new double[][] {{-1, 0}, {1, 0}, {0, 2}});
        INDArray m = GeometricMedian.of(x, 10_000, 1e-14);
        assertEquals(0.0, m.getDouble(0), Tolerance.f64(2, 8), "x of the Fermat point");
        assertEquals(1 / Math.sqrt(3), m.getDouble(1), 1e-12, "y of the Fermat point");
    }

    /** At the median the unit vectors towards the points sum to zero (the objective's gradient vanishes). */
    @Test
    void theUnitVectorsToThePointsSumToZeroAtTheMedian() {
        INDArray x = new SeededRandom(3).normal(DType.FLOAT64, 1.0, 60, 5);
        INDArray m = GeometricMedian.of(x, 10_000, 1e-13);
        INDArray diff = x.subRowVector(m.reshape(1, 5));
        INDArray units = diff.diviColumnVector(diff.norm2(1).reshape(60, 1));
        double residual = units.sum(0).norm2Number().doubleValue();
        // the sum of 60 unit vectors; at a guess off by e it is about the Hessian (n / mean distance) times e
        assertTrue(residual < 1e-9, "sum of unit vectors at the median: " + residual);
        assertTrue(objective(x, m) < objective(x, x.mean(0)), "the median beats the mean on the sum of distances");
    }

    @Test
    void theDefaultsStopAtTheirToleranceNearTheMedian() {
        INDArray x = new SeededRandom(4).normal(DType.FLOAT64, 1.0, 40, 3);
        INDArray precise = GeometricMedian.of(x, 10_000, 1e-14);
        INDArray quick = GeometricMedian.of(x);
        assertTrue(quick.distance2(precise) < 1e-4, "100 steps / tol 1e-5 land near the median");
        assertTrue(objective(x, quick) <= objective(x, x.mean(0)));
    }

    /** A crosscoder's layer block: a column view gives the median of that block, as a copy of it does. */
    @Test
    void aColumnBlockViewGivesTheMedianOfTheBlock() {
        INDArray x = new SeededRandom(5).normal(DType.FLOAT64, 1.0, 30, 8);
        INDArray view = x.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6));
        Tolerance.assertIdentical(
                GeometricMedian.of(view.dup('c')), GeometricMedian.of(view), "median of the block [3, 6)");
        assertEquals(3, GeometricMedian.of(view).length());
    }

    @Test
    void aPointThatIsTheMedianStaysFinite() {
        // the middle of three collinear points is their median; the guess reaches it and its weight stays finite
        INDArray x = Nd4j.createFromArray(new double[][] {{0}, {1}, {1}, {1}, {10}});
        INDArray m = GeometricMedian.of(x, 1000, 0);
        assertTrue(Double.isFinite(m.getDouble(0)));
        assertEquals(1.0, m.getDouble(0), 1e-9);
    }

    @Test
    void refusesAnEmptyMatrix() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> GeometricMedian.of(Nd4j.create(DType.FLOAT64.nd4j(), 0, 3)));
        assertTrue(e.getMessage().contains("non-empty matrix"), e.getMessage());
    }

    private static double objective(INDArray x, INDArray m) {
        return x.subRowVector(m.reshape(1, x.columns())).norm2(1).sumNumber().doubleValue();
    }
}
