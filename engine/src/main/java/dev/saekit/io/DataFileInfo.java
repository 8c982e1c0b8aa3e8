package dev.saekit.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One array of a data file as stored, and the matrix {@link DataFiles} makes of it.
 *
 * <p>The matrix keeps the last axis as columns and flattens every other axis into rows, so the
 * activations {@code [n, t, d]} of n sequences of t tokens become {@code [n*t, d]}. IDX files are
 * the exception: they hold samples such as images, so their first axis is the rows and the others
 * flatten into columns ({@code [n, 28, 28]} to {@code [n, 784]}, as every MNIST loader does). A 1-d
 * array {@code [n]} is one column {@code [n, 1]}: in these files a 1-d array holds one value per
 * sample (a label, a token id, a scalar activation), so its rows line up with the rows of its
 * sibling matrices (NumPy's {@code atleast_2d} would make it one row instead). A 0-d scalar is
 * {@code [1, 1]}.
 *
 * @param path   the file
 * @param format its format
 * @param name   the array's name in an {@code .npz} or safetensors file; null for the single array of
 *               an {@code .npy} or IDX file
 * @param dtype  the element type as stored (before conversion to float32 or float64)
 * @param shape  the shape as stored
 */
public record DataFileInfo(Path path, DataFormat format, String name, ElementType dtype, long[] shape) {

    public DataFileInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Rows of the matrix: the product of every axis but the last (for IDX, the first axis); 1 for a scalar. */
    public long rows() {
        if (shape.length < 2) {
            return shape.length == 0 ? 1 : shape[0];
        }
        return samplesFirst() ? shape[0] : product(0, shape.length - 1);
    }

    /** Columns of the matrix: the last axis (for IDX, the product of all but the first); 1 for a scalar and {@code [n]}. */
    public long cols() {
        if (shape.length < 2) {
            return 1;
        }
        return samplesFirst() ? product(1, shape.length) : shape[shape.length - 1];
    }

    private boolean samplesFirst() {
        return format == DataFormat.IDX || format == DataFormat.IDX_GZIP;
    }

    private long product(int from, int to) {
        long n = 1;
        for (int k = from; k < to; k++) {
            n = Math.multiplyExact(n, shape[k]);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataFileInfo i && path.equals(i.path) && format == i.format && Objects.equals(name, i.name)
                && dtype == i.dtype && Arrays.equals(shape, i.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, format, name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "DataFileInfo[path=" + path + ", format=" + format + (name == null ? "" : ", name=" + name) + ", dtype=" + dtype
                + ", shape=" + Arrays.toString(shape) + "]";
    }
}
