package dev.saekit.io;

import java.util.Arrays;

/**
 * How an array of any rank becomes the matrix saekit trains on, the one rule every format follows:
 * the first {@code rowAxes} axes index rows and all other axes flatten, in C order, into each row.
 *
 * <p>By default ({@code rowAxes} 1) the first axis indexes rows, as IDX files and every image
 * loader have it: images {@code [60000, 28, 28]} are 60000 rows of 784. Token activations
 * {@code [n, t, d]} are n rows of {@code t*d} by default; {@code rowAxes} 2 makes them {@code n*t}
 * rows of width d. A 1-d array {@code [n]} is one column {@code [n, 1]} (one value per sample, such
 * as a label, so its rows line up with those of its sibling arrays); when {@code rowAxes} equals
 * the rank, every element is a row of width 1. A 0-d scalar is {@code [1, 1]}.
 *
 * @param shape   the array's shape as stored
 * @param rowAxes how many leading axes index rows: 1 to the rank (1 for a scalar)
 */
public record RowLayout(long[] shape, int rowAxes) {
    /** The default: the first axis indexes rows. */
    public static final int DEFAULT_ROW_AXES = 1;

    public RowLayout {
        shape = shape.clone();
        if (rowAxes < 1) {
            throw new IllegalArgumentException("rowAxes must be >= 1, was " + rowAxes);
        }
        if (rowAxes > Math.max(1, shape.length)) {
            throw new IllegalArgumentException("rowAxes=" + rowAxes + " needs an array of at least " + rowAxes
                    + " axes; shape " + Arrays.toString(shape) + " has " + shape.length);
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        product(shape, 0, shape.length); // the element count fits in a long
    }

    /** The default layout of {@code shape}: the first axis indexes rows. */
    public static RowLayout of(long[] shape) {
        return new RowLayout(shape, DEFAULT_ROW_AXES);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Rows of the matrix: the product of the first {@link #rowAxes()} axes (1 for a scalar). */
    public long rows() {
        return product(shape, 0, Math.min(rowAxes, shape.length));
    }

    /** Columns of the matrix: the product of the other axes (1 when there are none). */
    public long cols() {
        return product(shape, Math.min(rowAxes, shape.length), shape.length);
    }

    /** Every element: {@code rows() * cols()}. */
    public long elements() {
        return product(shape, 0, shape.length);
    }

    /** Whether axes were merged: anything but a matrix read as it is stored. */
    public boolean flattened() {
        return shape.length != 2 || rowAxes != 1;
    }

    /**
     * What was done, for logs and JSON: {@code flattened [60000, 28, 28] to 60000 rows x 784},
     * {@code [100, 768] as 100 rows x 768}, {@code [7] as 7 rows x 1}.
     */
    public String describe() {
        String matrix = rows() + " rows x " + cols();
        boolean merged = shape.length > 2 || rowAxes > 1;
        return (merged ? "flattened " + Arrays.toString(shape) + " to " : Arrays.toString(shape) + " as ") + matrix;
    }

    /** The index in the stored array of matrix element ({@code row}, {@code col}). */
    public long[] index(long row, long col) {
        long flat = row * cols() + col;
        long[] index = new long[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            index[k] = shape[k] == 0 ? 0 : flat % shape[k];
            flat = shape[k] == 0 ? 0 : flat / shape[k];
        }
        return index;
    }

    /**
     * Where matrix element ({@code row}, {@code col}) sits in the stored array, for messages: empty
     * when the matrix is the array as stored, else {@code " (index [5, 3, 16] of shape [60000, 28, 28])"}.
     */
    public String indexText(long row, long col) {
        return flattened() && shape.length > 0
                ? " (index " + Arrays.toString(index(row, col)) + " of shape " + Arrays.toString(shape) + ")"
                : "";
    }

    private static long product(long[] shape, int from, int to) {
        long n = 1;
        for (int k = from; k < to; k++) {
            n = Math.multiplyExact(n, shape[k]);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowLayout l && rowAxes == l.rowAxes && Arrays.equals(shape, l.shape);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + rowAxes;
    }

    @Override
    public String toString() {
        return describe();
    }
}
