package dev.saekit.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * The header of an IDX file: what {@link Idx#header} returns without loading the data.
 *
 * @param type       the element type (the third byte of the magic number)
 * @param shape      the dimensions (big-endian int32s after the magic number)
 * @param compressed whether the file is gzip-compressed ({@code .gz})
 */
public record IdxHeader(ElementType type, long[] shape, boolean compressed) {

    public IdxHeader {
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        Math.multiplyExact(elementCount(shape), type.size());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** The size of the data after the header (uncompressed). */
    public long dataBytes() {
        return elementCount() * type.size();
    }

    /** The size of the header: the 4-byte magic number and 4 bytes per dimension. */
    public int headerBytes() {
        return 4 + 4 * shape.length;
    }

    private static long elementCount(long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxHeader h
                && type == h.type
                && Arrays.equals(shape, h.shape)
                && compressed == h.compressed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(shape), compressed);
    }

    @Override
    public String toString() {
        return "IdxHeader[type=" + type + ", shape=" + Arrays.toString(shape) + ", compressed=" + compressed + "]";
    }
}
