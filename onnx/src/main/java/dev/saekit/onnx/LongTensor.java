package dev.saekit.onnx;

import java.util.Arrays;

/**
 * A dense int64 tensor in row-major order: what a text model takes as token ids and masks. It holds
 * its array without copying it; treat it as read-only once made.
 */
public final class LongTensor {
    private final long[] data;
    private final long[] shape;

    private LongTensor(long[] data, long[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** {@code data} (row-major) seen as {@code shape}; the array is not copied. */
    public static LongTensor of(long[] data, long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values but " + data.length + " were given");
        }
        return new LongTensor(data, shape.clone());
    }

    /** The values, row-major (the array itself, not a copy). */
    public long[] data() {
        return data;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code axis}. */
    public long dim(int axis) {
        return shape[axis];
    }

    /** {@code [2, 17]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "LongTensor" + shapeText();
    }
}
