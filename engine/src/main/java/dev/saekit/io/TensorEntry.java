package dev.saekit.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a safetensors header: where its bytes lie, without the data.
 *
 * @param name  the tensor's name, e.g. {@code encoder.weight}
 * @param dtype its element type
 * @param shape its dimensions; empty for a 0-d scalar
 * @param begin the offset of its first byte, from the start of the data buffer
 * @param end   the offset just past its last byte; {@code end - begin} is the element count times
 *              the element size
 */
public record TensorEntry(String name, ElementType dtype, long[] shape, long begin, long end) {

    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long bytes = Math.multiplyExact(elementCount(shape), dtype.size());
        if (begin < 0 || end - begin != bytes) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "': data_offsets [" + begin + ", " + end + "] do not hold the " + bytes
                            + " bytes of " + dtype.safetensorsName() + " " + Arrays.toString(shape));
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements (1 for a scalar, 0 for an empty tensor). */
    public long elementCount() {
        return elementCount(shape);
    }

    /** The size of the tensor's data in bytes. */
    public long byteSize() {
        return end - begin;
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
        return o instanceof TensorEntry e
                && name.equals(e.name)
                && dtype == e.dtype
                && Arrays.equals(shape, e.shape)
                && begin == e.begin
                && end == e.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorEntry[name=" + name + ", dtype=" + dtype.safetensorsName() + ", shape=" + Arrays.toString(shape)
                + ", data_offsets=[" + begin + ", " + end + "]]";
    }
}
