package dev.saekit.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One array of a data file as stored, and the matrix {@link DataFiles} makes of it by the rule of
 * {@link RowLayout}: the first {@code rowAxes} axes index rows and the others flatten into each
 * row, the same for every format ({@code [60000, 28, 28]} is 60000 rows of 784; with
 * {@code rowAxes} 2, token activations {@code [n, t, d]} are {@code n*t} rows of d).
 *
 * @param path    the file
 * @param format  its format
 * @param name    the array's name in an {@code .npz} or safetensors file; null for the single array of
 *                an {@code .npy} or IDX file
 * @param dtype   the element type as stored (before conversion to float32 or float64)
 * @param shape   the shape as stored
 * @param rowAxes how many leading axes index rows (see {@link RowLayout})
 */
public record DataFileInfo(Path path, DataFormat format, String name, ElementType dtype, long[] shape, int rowAxes) {

    public DataFileInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        new RowLayout(shape, rowAxes); // checks rowAxes against the shape
    }

    /** The array with the default layout: the first axis indexes rows. */
    public DataFileInfo(Path path, DataFormat format, String name, ElementType dtype, long[] shape) {
        this(path, format, name, dtype, shape, RowLayout.DEFAULT_ROW_AXES);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** How the array becomes a matrix. */
    public RowLayout layout() {
        return new RowLayout(shape, rowAxes);
    }

    /** Rows of the matrix: the product of the first {@link #rowAxes()} axes; 1 for a scalar. */
    public long rows() {
        return layout().rows();
    }

    /** Columns of the matrix: the product of the other axes; 1 for a scalar and {@code [n]}. */
    public long cols() {
        return layout().cols();
    }

    /** How errors and logs name the array: {@code x.npy}, {@code x.npz, member 'a.npy'}, {@code x.safetensors, tensor 'w'}. */
    public String source() {
        if (name == null) {
            return path.toString();
        }
        return path
                + (format == DataFormat.NPZ ? ", member " + Text.quote(name + ".npy") : ", tensor " + Text.quote(name));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataFileInfo i
                && path.equals(i.path)
                && format == i.format
                && Objects.equals(name, i.name)
                && dtype == i.dtype
                && Arrays.equals(shape, i.shape)
                && rowAxes == i.rowAxes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, format, name, dtype, Arrays.hashCode(shape), rowAxes);
    }

    @Override
    public String toString() {
        return "DataFileInfo[path=" + path + ", format=" + format + (name == null ? "" : ", name=" + name) + ", dtype="
                + dtype + ", shape=" + Arrays.toString(shape) + ", rowAxes=" + rowAxes + "]";
    }
}
