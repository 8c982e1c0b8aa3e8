package dev.saekit.io;

import dev.saekit.tensor.DType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows on the Java heap in a data set's dtype: one {@code float[]} for float32, one
 * {@code double[]} for float64, row-major. A streaming data set keeps its shuffle buffer and the
 * batch it assembles in blocks like this and copies a finished batch into the native array in one
 * bulk write.
 */
final class RowBlock {
    final int capacity;
    final int cols;
    final float[] floats;
    final double[] doubles;

    RowBlock(DType dtype, int capacity, int cols) {
        long length = Math.multiplyExact((long) capacity, cols);
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(capacity + " rows of width " + cols + " are " + length
                    + " values, more than one Java array holds; use fewer rows");
        }
        this.capacity = capacity;
        this.cols = cols;
        this.floats = dtype == DType.FLOAT32 ? new float[(int) length] : null;
        this.doubles = dtype == DType.FLOAT64 ? new double[(int) length] : null;
    }

    /** Bytes of the block: rows x width x 4 or 8. */
    static long bytes(DType dtype, long rows, int cols) {
        return Math.multiplyExact(Math.multiplyExact(rows, cols), dtype == DType.FLOAT32 ? 4L : 8L);
    }

    /** Sets the first {@code n} values (whole rows) from {@code values}, converted to the block's dtype. */
    void set(double[] values, int n) {
        if (floats != null) {
            for (int i = 0; i < n; i++) {
                floats[i] = (float) values[i];
            }
        } else {
            System.arraycopy(values, 0, doubles, 0, n);
        }
    }

    /** Copies row {@code from} of this block over row {@code to} of {@code dest}. */
    void copyRow(int from, RowBlock dest, int to) {
        if (floats != null) {
            System.arraycopy(floats, from * cols, dest.floats, to * cols, cols);
        } else {
            System.arraycopy(doubles, from * cols, dest.doubles, to * cols, cols);
        }
    }

    /** Writes the first {@code rows} rows into {@code batch}, a C-order {@code [rows, cols]} array of the same dtype. */
    void copyTo(INDArray batch, int rows) {
        if (floats != null) {
            batch.data().asNioFloat().put(0, floats, 0, rows * cols);
        } else {
            batch.data().asNioDouble().put(0, doubles, 0, rows * cols);
        }
    }
}
