package dev.saekit.onnx;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order: what goes into a model and what a tap returns. It
 * holds its array without copying it; treat it as read-only once made.
 */
public final class FloatTensor {
    private final float[] data;
    private final long[] shape;

    private FloatTensor(float[] data, long[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** {@code data} (row-major) seen as {@code shape}; the array is not copied. */
    public static FloatTensor of(float[] data, long... shape) {
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
        return new FloatTensor(data, shape.clone());
    }

    /** The values, row-major (the array itself, not a copy). */
    public float[] data() {
        return data;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The size of dimension {@code axis}. */
    public long dim(int axis) {
        return shape[axis];
    }

    /** The width of the rows this tensor flattens to: its last dimension (1 for a scalar). */
    public int width() {
        return shape.length == 0 ? 1 : Math.toIntExact(shape[shape.length - 1]);
    }

    /** How many rows of {@link #width()} values it flattens to: [N, T, C] gives N*T rows of C. */
    public int rows() {
        int w = width();
        return w == 0 ? 0 : data.length / w;
    }

    /** {@code [1, 40, 120]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "FloatTensor" + shapeText();
    }
}
