package dev.saekit.io;

import dev.saekit.tensor.DType;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The header of a {@code .npy} file: what {@link Npy#header} returns without loading the data.
 *
 * @param descr        the NumPy type string, e.g. {@code <f4} or {@code >f8}
 * @param fortranOrder whether the data is stored column-major
 * @param shape        the array's dimensions; empty for a 0-d scalar
 */
public record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    public NpyHeader {
        Objects.requireNonNull(descr, "descr");
        if (NpyType.parse(descr) == null) {
            throw new IllegalArgumentException("unsupported descr '" + descr + "'; accepted: " + NpyType.ACCEPTED);
        }
        shape = shape.clone();
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + shapeText(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        Math.multiplyExact(n, NpyType.parse(descr).size());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The product of the dimensions (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long s : shape) {
            n *= s; // cannot overflow: checked in the constructor
        }
        return n;
    }

    /** Bytes per element: 1, 2, 4 or 8. */
    public int itemSize() {
        return NpyType.parse(descr).size();
    }

    /** The size of the data that follows the header. */
    public long dataBytes() {
        return elementCount() * itemSize();
    }

    /** The dtype {@link Npy#read} returns for this file: float64 for {@code f8} and 32/64-bit integers, else float32. */
    public DType readDType() {
        return NpyType.parse(descr).target();
    }

    /** The shape as NumPy prints it: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    public String shapeText() {
        return shapeText(shape);
    }

    static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h
                && descr.equals(h.descr)
                && fortranOrder == h.fortranOrder
                && Arrays.equals(shape, h.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(descr, fortranOrder, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "NpyHeader[descr=" + descr + ", fortranOrder=" + fortranOrder + ", shape=" + shapeText() + "]";
    }
}
