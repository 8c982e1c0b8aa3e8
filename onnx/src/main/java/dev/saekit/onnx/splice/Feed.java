package dev.saekit.onnx.splice;

import dev.saekit.onnx.FloatTensor;
import java.util.Arrays;

/**
 * A value fed to one input of a model: float32 (pixels, embeddings) or int64 (token ids, attention
 * masks), row-major with its shape. The arrays are not copied; treat them as read-only once made.
 */
public sealed interface Feed permits Feed.Floats, Feed.Longs {

    /** The dimensions, {@code [2, 17]}. */
    long[] shape();

    /** How many values the shape holds. */
    default long size() {
        return count(shape());
    }

    /** float32 values. */
    record Floats(float[] data, long[] shape) implements Feed {
        public Floats {
            shape = checked(data.length, shape);
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /** int64 values. */
    record Longs(long[] data, long[] shape) implements Feed {
        public Longs {
            shape = checked(data.length, shape);
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    static Feed floats(float[] data, long... shape) {
        return new Floats(data, shape);
    }

    static Feed longs(long[] data, long... shape) {
        return new Longs(data, shape);
    }

    /** The values of {@code tensor}, not copied. */
    static Feed of(FloatTensor tensor) {
        return new Floats(tensor.data(), tensor.shape());
    }

    private static long[] checked(int values, long[] shape) {
        if (count(shape) != values) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count(shape)
                    + " values but " + values + " were given");
        }
        return shape.clone();
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
