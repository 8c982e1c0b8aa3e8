package dev.saekit.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Tolerances for comparing floating-point results, derived from the computation instead of picked:
 * {@code operations} roundings, each at most the dtype's machine epsilon relative to
 * {@code magnitude}, the largest magnitude the computation's intermediate values reach. A result
 * computed with n roundings is within about {@code n eps |magnitude|} of the exact value (to first
 * order, with a factor 2 to spare since a rounding errs by at most eps / 2), so an assertion with
 * this tolerance passes whatever order the BLAS kernels sum in, and fails when the code computes
 * something else.
 */
public final class Tolerance {
    private Tolerance() {}

    /** {@code operations} roundings of {@code dtype} at {@code magnitude}. */
    public static double of(DType dtype, double magnitude, int operations) {
        if (operations < 1) {
            throw new IllegalArgumentException("operations must be >= 1, was " + operations);
        }
        return operations * dtype.machineEpsilon() * Math.abs(magnitude);
    }

    /**
     * A sum of {@code terms} rounded terms whose magnitudes add up to {@code magnitude}. At worst
     * each addition errs the same way ({@code terms - 1} roundings); rounding errors of varying sign
     * grow like {@code sqrt(terms)} instead, and {@code 6 sqrt(terms)} roundings bound the sum with
     * overwhelming probability (Higham and Mary, 2019, "A new approach to probabilistic rounding error
     * analysis"): the smaller of the two counts is used, so a long sum is not given the worst case's
     * slack, which no real summation order reaches.
     */
    public static double sum(DType dtype, double magnitude, long terms) {
        return of(dtype, magnitude, (int) Math.ceil(Math.max(1, Math.min(terms, 6 * Math.sqrt(terms)))));
    }

    /** {@code operations} float64 roundings at {@code magnitude}. */
    public static double f64(double magnitude, int operations) {
        return of(DType.FLOAT64, magnitude, operations);
    }

    /** {@code operations} float32 roundings at {@code magnitude}. */
    public static double f32(double magnitude, int operations) {
        return of(DType.FLOAT32, magnitude, operations);
    }

    /**
     * Asserts that {@code actual} has {@code expected}'s shape and that no entry differs from it by
     * more than {@code tolerance} (an absolute bound, unlike ND4J's {@code equalsWithEps}, whose
     * comparison also accepts relative differences); the message gives the largest difference.
     */
    public static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double largest = maxDifference(expected, actual);
        assertTrue(
                largest <= tolerance,
                () -> String.format(Locale.ROOT, "%s: largest difference %.3g exceeds %.3g", what, largest, tolerance));
    }

    /**
     * Asserts that {@code actual} has {@code expected}'s shape and dtype and the same value in every
     * entry: for results that must be reproduced exactly (the same computation again, a copy, a round
     * trip through a file), which {@code assertEquals} on arrays would not check, ND4J's
     * {@code equals} accepting differences up to 1e-5.
     */
    public static void assertIdentical(INDArray expected, INDArray actual, String what) {
        assertTrue(
                expected.dataType() == actual.dataType(),
                () -> what + ": dtype " + actual.dataType() + ", expected " + expected.dataType());
        assertClose(expected, actual, 0.0, what);
    }

    /** The largest {@code |a - b|} over all entries (in float64). */
    public static double maxDifference(INDArray a, INDArray b) {
        return Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false)
                .maxNumber()
                .doubleValue();
    }

    /** The largest entry of {@code |a| @ |b|}: the magnitude of the sums of products in {@code a @ b}. */
    public static double productMagnitude(INDArray a, INDArray b) {
        return Transforms.abs(a, true).mmul(Transforms.abs(b, true)).maxNumber().doubleValue();
    }
}
