package dev.saekit.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.Normalization;
import dev.saekit.dictionary.Normalizer;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The element-wise and column kernels of the backward pass and the dead-code count, against ND4J. */
class RowKernelsTest {

    /**
     * The tiled transpose-add gives exactly what an element-wise {@code dst + src^T} gives (one
     * addition per entry, so exactly), for shapes that fill no tile evenly, in both dtypes; other
     * layouts are declined.
     */
    @ParameterizedTest
    @EnumSource(DType.class)
    void addTransposedAddsTheTransposeExactly(DType dtype) {
        INDArray src = new SeededRandom(1).normal(dtype, 1.0, 131, 70);
        INDArray dst = new SeededRandom(2).normal(dtype, 1.0, 70, 131);
        INDArray expected = dst.add(src.transpose());
        assertTrue(RowKernels.addTransposed(src, dst));
        Tolerance.assertIdentical(expected, dst, "dst + src^T");
        assertFalse(RowKernels.addTransposed(src, dst.transpose()), "a transposed view is declined");
        assertFalse(RowKernels.addTransposed(src, new SeededRandom(3).normal(dtype, 1.0, 131, 70)), "shapes");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reluBackwardKeepsTheGradientWherePreCodesArePositive(DType type) {
        SeededRandom rng = new SeededRandom(4);
        INDArray pre = rng.normal(type, 1.0, 70, 300);
        INDArray grad = rng.normal(type, 1.0, 70, 300);
        INDArray expected = grad.mul(pre.gt(0).castTo(grad.dataType()));
        INDArray out = grad.ulike();
        assertTrue(RowKernels.reluBackward(pre, grad, out));
        assertArrayEquals(expected.data().asDouble(), out.data().asDouble(), 0.0);
        assertTrue(RowKernels.reluBackward(pre, grad, grad), "in place");
        assertArrayEquals(expected.data().asDouble(), grad.data().asDouble(), 0.0);
        assertFalse(
                RowKernels.reluBackward(pre.dup('f'), grad.dup('f'), out.dup('f')), "other layouts are left to ND4J");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reluBackwardOnSpecialValuesKeepsTheGradientExactlyWherePreIsAboveZero(DType type) {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        double tiny = type == DType.FLOAT32 ? Float.MIN_VALUE : Double.MIN_VALUE; // the smallest subnormal
        double[] pre = {0.0, -0.0, 1.0, -1.0, nan, inf, -inf, tiny, -tiny, 3e-30, 2.5, 2.5, -2.5};
        double[] grad = {4, 4, 4, 4, 4, 4, 4, 4, 4, nan, inf, -inf, nan};
        double[] expected = new double[pre.length];
        for (int i = 0; i < pre.length; i++) {
            expected[i] = pre[i] > 0 ? grad[i] : 0.0;
        }
        INDArray p = Nd4j.createFromArray(pre).castTo(type.nd4j());
        INDArray g = Nd4j.createFromArray(grad).castTo(type.nd4j());
        INDArray out = g.ulike();
        assertTrue(RowKernels.reluBackward(p, g, out));
        assertArrayEquals(expected, out.data().asDouble(), 0.0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void columnSumsAddToTheVector(DType type) {
        SeededRandom rng = new SeededRandom(5);
        INDArray m = rng.normal(type, 1.0, 123, 77);
        INDArray out = rng.normal(type, 1.0, 77);
        double[] expected = out.add(m.sum(0)).data().asDouble();
        // two sums of 123 entries of the column plus the vector, in two orders
        double magnitude = Transforms.abs(m, true).sum(0).maxNumber().doubleValue()
                + out.amaxNumber().doubleValue();
        double tolerance = 2 * Tolerance.sum(type, magnitude, 124);
        RowKernels.addColumnSums(m, out);
        assertArrayEquals(expected, out.data().asDouble(), tolerance);
        INDArray fromView = Nd4j.zeros(m.dataType(), 76);
        RowKernels.addColumnSums(
                m.getColumns(java.util.stream.IntStream.range(1, 77).toArray()), fromView);
        for (int j = 0; j < 76; j++) {
            assertArrayEquals(
                    new double[] {m.getColumn(j + 1).sumNumber().doubleValue()},
                    new double[] {fromView.getDouble(j)},
                    tolerance);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void nonZeroColumnsAreMarked(DType type) {
        INDArray m = Nd4j.zeros(type.nd4j(), 40, 9);
        m.putScalar(3, 2, 1e-30);
        m.putScalar(39, 8, -2);
        boolean[] active = new boolean[9];
        active[0] = true; // marks are only ever added
        RowKernels.markNonZeroColumns(m, active);
        assertArrayEquals(new boolean[] {true, false, true, false, false, false, false, false, true}, active);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void rowsDividedByTheirNormPlusEpsilonAsND4JDoes(DType type) {
        INDArray w = new SeededRandom(6).normal(type, 1.0, 50, 33);
        INDArray expected = w.divColumnVector(w.norm2(1).addi(1e-8).reshape(50, 1));
        assertTrue(RowKernels.divideRowsByL2Norm(w, 1e-8));
        // a norm of 33 entries (two orders), +eps and a division: the result is at most 1
        assertArrayEquals(
                expected.data().asDouble(),
                w.data().asDouble(),
                2 * Tolerance.sum(type, 1, 33) + Tolerance.of(type, 1, 2));
        assertFalse(RowKernels.divideRowsByL2Norm(w.dup('f'), 1e-8));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void projectionAndScaledCopyInOnePassMatchProjectThenCopy(DType type) {
        for (double scale : new double[] {1.0, 1.7}) {
            INDArray w = new SeededRandom(8).normal(type, 1.0, 70, 45);
            INDArray wExpected = w.dup('c');
            Normalizer separately = Normalization.L2::projectInPlace; // the interface's default: project, copy, scale
            INDArray expected = Nd4j.create(type.nd4j(), 70, 45);
            separately.projectInPlaceAndCopy(wExpected, expected, scale);

            INDArray copy = Nd4j.create(type.nd4j(), 70, 45);
            Normalization.L2.projectInPlaceAndCopy(w, copy, scale);
            // the same projection of 45-entry rows computed two ways, then the copy's scale (up to 1.7)
            double tol = 2 * Tolerance.sum(type, scale, 45) + Tolerance.of(type, scale, 3);
            assertArrayEquals(wExpected.data().asDouble(), w.data().asDouble(), tol);
            assertArrayEquals(expected.data().asDouble(), copy.data().asDouble(), tol);
        }
        INDArray w = new SeededRandom(9).normal(type, 1.0, 5, 4);
        assertFalse(RowKernels.divideRowsByL2Norm(w, 1e-8, Nd4j.create(type.nd4j(), new long[] {5, 4}, 'f'), 1.0));
        assertFalse(RowKernels.divideRowsByL2Norm(w, 1e-8, Nd4j.create(type.nd4j(), 4, 5), 1.0));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void varianceOfAllEntriesOverSeveralChunksEvenFarFromZero(DType type) {
        INDArray m = new SeededRandom(10).normal(type, 2.0, 300, 129).addi(1e4); // mean 1e4, spread 2
        double[] v = m.data().asDouble();
        double mean = java.util.Arrays.stream(v).sum() / v.length;
        double expected =
                java.util.Arrays.stream(v).map(e -> (e - mean) * (e - mean)).sum() / v.length;
        // two passes in float64: a sum of the squared deviations (whose magnitudes add up to n times
        // the variance), each deviation off by a rounding of the entry itself (about 1e4)
        double largest = m.amaxNumber().doubleValue();
        double tolerance =
                Tolerance.sum(DType.FLOAT64, expected, v.length) + Tolerance.f64(largest * Math.sqrt(expected), 2);
        assertEquals(expected, RowKernels.variance(m), tolerance);
        INDArray view = new SeededRandom(11).normal(type, 1.0, 30, 40).getColumn(3);
        assertEquals(
                view.var(false).getDouble(0), RowKernels.variance(view), 0.0, "a view falls back to ND4J's own var");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void axpyOverSeveralChunksAsND4J(DType type) {
        INDArray x = new SeededRandom(12).normal(type, 1.0, 70, 501);
        INDArray y = new SeededRandom(13).normal(type, 1.0, 70, 501);
        INDArray expected = y.add(x.mul(-0.75));
        assertTrue(RowKernels.axpy(-0.75, x, y));
        // y - 0.75 x: a product and a sum (or one fused rounding) of values up to |y| + 0.75 |x|
        double magnitude = Transforms.abs(expected, true).maxNumber().doubleValue()
                + 0.75 * x.amaxNumber().doubleValue();
        assertArrayEquals(expected.data().asDouble(), y.data().asDouble(), Tolerance.of(type, magnitude, 2));
        assertFalse(RowKernels.axpy(1.0, x.dup('f'), y), "other layouts are left to BLAS");
        assertFalse(RowKernels.axpy(1.0, x, y.reshape(501, 70).dup('c')), "shapes must match");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumOfSquaresOverSeveralChunks(DType type) {
        INDArray m = new SeededRandom(7).normal(type, 1.0, 100_003);
        // the squares of float32 or float64 entries, summed accurately (compensated) in float64; the
        // kernel sums them in float64 too (a float32 square is exact in float64)
        double[] v = m.data().asDouble();
        double expected = java.util.Arrays.stream(v).map(e -> e * e).sum();
        assertEquals(
                expected,
                RowKernels.sumOfSquares(m),
                Tolerance.sum(DType.FLOAT64, expected, v.length) + Tolerance.f64(expected, 1));
        INDArray view = new SeededRandom(7).normal(type, 1.0, 30, 40).getColumn(3);
        double n = view.norm2Number().doubleValue();
        assertEquals(n * n, RowKernels.sumOfSquares(view), 0.0, "a view falls back to ND4J's norm, squared");
    }

    /** keepAtLeast keeps r where r >= its column's threshold (ties kept, NaN kept), exactly as the mask formula. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void keepAtLeastKeepsTheEntriesAtOrAboveTheirColumnsThreshold(DType type) {
        SeededRandom rng = new SeededRandom(11);
        INDArray r = Transforms.relu(rng.normal(type, 1.0, 67, 130), true);
        double[] threshold = new double[130];
        for (int j = 0; j < threshold.length; j++) {
            threshold[j] = 0.125 + j / 64.0; // exact in float32, so that the tie below is one
        }
        r.putScalar(3, 5, threshold[5]); // a tie is kept
        r.putScalar(4, 6, Double.NaN); // a NaN surfaces
        INDArray out = r.ulike();
        assertTrue(RowKernels.keepAtLeast(r, threshold, out));
        for (int i = 0; i < r.rows(); i++) {
            for (int j = 0; j < r.columns(); j++) {
                double v = r.getDouble(i, j);
                double expected = v < threshold[j] ? 0 : v;
                assertEquals(expected, out.getDouble(i, j), 0.0, "entry " + i + "," + j);
            }
        }
        assertEquals(threshold[5], out.getDouble(3, 5), 0.0);
        assertTrue(Double.isNaN(out.getDouble(4, 6)));
        assertFalse(RowKernels.keepAtLeast(r.dup('f'), threshold, out.dup('f')), "other layouts are declined");
    }

    /** The sign term of an L1 gradient, exactly as ND4J's sign times w added, also on a copied layout. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void addScaledSignAddsWTimesTheSign(DType type) {
        SeededRandom rng = new SeededRandom(13);
        INDArray z = Transforms.relu(rng.normal(type, 1.0, 70, 300), true).subi(0.2);
        z.putScalar(0, 0, 0.0);
        INDArray g = rng.normal(type, 1.0, 70, 300);
        INDArray expected = g.add(Transforms.sign(z, true).muli(type == DType.FLOAT32 ? (double) (float) 0.37 : 0.37));
        INDArray fast = g.dup('c');
        RowKernels.addScaledSign(z, 0.37, fast);
        assertArrayEquals(expected.data().asDouble(), fast.data().asDouble(), 0.0);
        INDArray other = g.dup('f');
        RowKernels.addScaledSign(z, 0.37, other);
        Tolerance.assertIdentical(expected, other.dup('c'), "g + w sign(z), F order");
    }

    /** Column sums over the non-zero entries of b, in row blocks: the same as one sequential sum per column up to rounding. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void columnSumsWhereNonZeroSumTheTermPerColumn(DType type) {
        SeededRandom rng = new SeededRandom(14);
        INDArray a = rng.normal(type, 1.0, 200, 90);
        INDArray b = Transforms.relu(rng.normal(type, 1.0, 200, 90), true);
        double[] sums = new double[90];
        RowKernels.columnSumsWhereNonZero(a, b, (j, x, y) -> (j + 1) * x * y, sums);
        for (int j = 0; j < 90; j++) {
            double expected = 0;
            double magnitude = 0;
            for (int i = 0; i < 200; i++) {
                double y = b.getDouble(i, j);
                if (y != 0) {
                    double term = (j + 1) * a.getDouble(i, j) * y;
                    expected += term;
                    magnitude += Math.abs(term);
                }
            }
            // float64 sums of the same terms in another order: a few roundings of the magnitude
            assertEquals(expected, sums[j], 8 * Math.ulp(magnitude) * 200, "column " + j);
        }
        double[] again = new double[90];
        RowKernels.columnSumsWhereNonZero(a, b, (j, x, y) -> (j + 1) * x * y, again);
        assertArrayEquals(sums, again, 0.0, "the block order fixes the result");
    }
}
