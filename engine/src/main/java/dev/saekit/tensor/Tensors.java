package dev.saekit.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Creation of ND4J arrays and the shape checks that go with them. Every array the engine
 * allocates comes from here, in C (row-major) order and in the requested {@link DType}.
 */
public final class Tensors {
    private Tensors() {}

    public static INDArray zeros(DType dtype, long... shape) {
        return Nd4j.zeros(dtype.nd4j(), shape);
    }

    public static INDArray ones(DType dtype, long... shape) {
        return Nd4j.ones(dtype.nd4j(), shape);
    }

    /** A 0-dimensional array holding {@code value}. */
    public static INDArray scalar(DType dtype, double value) {
        return Nd4j.scalar(dtype.nd4j(), value);
    }

    /** An array of {@code shape} from row-major {@code data}, cast to {@code dtype}. */
    public static INDArray fromFlat(DType dtype, double[] data, long... shape) {
        long n = elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values but " + data.length + " were given");
        }
        if (shape.length == 0) {
            return scalar(dtype, data[0]);
        }
        return Nd4j.create(data, shape, dtype.nd4j());
    }

    /** An array of {@code shape} from row-major float32 {@code data}, cast to {@code dtype}. */
    public static INDArray fromFlat(DType dtype, float[] data, long... shape) {
        long n = elementCount(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values but " + data.length + " were given");
        }
        INDArray a = Nd4j.create(data, shape, 'c');
        return dtype == DType.FLOAT32 ? a : a.castTo(dtype.nd4j());
    }

    /** A matrix from rows of doubles (all rows the same length). */
    public static INDArray matrix(DType dtype, double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a matrix needs at least one row");
        }
        int cols = rows[0].length;
        double[] flat = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException(
                        "row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return fromFlat(dtype, flat, rows.length, cols);
    }

    /** A copy of {@code a} in {@code dtype} and C order, detached from any buffer it views. */
    public static INDArray copy(INDArray a, DType dtype) {
        INDArray c = a.dataType() == dtype.nd4j()
                ? a.dup('c')
                : a.castTo(dtype.nd4j()).dup('c');
        return c;
    }

    /** The dtype of an array the engine computes with. */
    public static DType dtypeOf(INDArray a) {
        return DType.of(a.dataType());
    }

    /** Product of the dimensions, with overflow checked. */
    public static long elementCount(long... shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Checks that {@code a} is a matrix with {@code cols} columns; the error names both shapes. */
    public static void requireMatrix(String what, INDArray a, long cols) {
        if (a.rank() != 2 || a.columns() != cols) {
            throw new IllegalArgumentException(
                    what + " must have shape [batch, " + cols + "], was " + Arrays.toString(a.shape()));
        }
    }

    /** Checks that {@code a} has exactly {@code shape}; the error names expected and actual shapes. */
    public static void requireShape(String what, INDArray a, long... shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException(
                    what + " must have shape " + Arrays.toString(shape) + ", was " + Arrays.toString(a.shape()));
        }
    }

    /** Checks that {@code a} has the model's dtype. */
    public static void requireDType(String what, INDArray a, DType dtype) {
        if (a.dataType() != dtype.nd4j()) {
            throw new IllegalArgumentException(what + " must be " + dtype + ", was " + a.dataType()
                    + "; convert it with Tensors.copy(array, DType." + dtype.name() + ")");
        }
    }

    /** True when every value of {@code a} is finite (no NaN, no infinity). */
    public static boolean allFinite(INDArray a) {
        return firstNonFiniteIfAny(a) < 0;
    }

    /**
     * Flat row-major index of the first NaN or infinite value of {@code a}, or -1. A finite sum
     * proves there is none (a NaN or infinite term makes the sum non-finite), so the element scan
     * runs only when the sum is not finite.
     */
    public static long firstNonFiniteIfAny(INDArray a) {
        if (Double.isFinite(a.sumNumber().doubleValue())) {
            return -1;
        }
        double[] values = a.dup('c').data().asDouble();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }
}
