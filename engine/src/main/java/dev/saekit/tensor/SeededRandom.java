package dev.saekit.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The engine's only source of randomness: SplitMix64 (Steele, Lea and Flood, 2014) from a seed, so
 * that a run is reproducible from the seed in its config on any machine and thread count. Its whole
 * state is one {@code long} ({@link #state()}), which checkpoints save to resume bit for bit.
 * Arrays are filled in row-major order.
 */
public final class SeededRandom {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private long state;

    public SeededRandom(long seed) {
        this.seed = seed;
        this.state = seed;
    }

    public long seed() {
        return seed;
    }

    /** The generator's state: equal states give equal streams. */
    public long state() {
        return state;
    }

    /** Continues from a saved {@link #state()}. */
    public void setState(long state) {
        this.state = state;
    }

    /** An independent generator whose stream depends only on this one's seed and {@code salt}. */
    public SeededRandom derive(long salt) {
        return new SeededRandom(mix(seed ^ mix(salt * GAMMA + 1)));
    }

    public long nextLong() {
        state += GAMMA;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1), 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, was " + bound);
        }
        int bits;
        int value;
        do {
            bits = (int) (nextLong() >>> 33);
            value = bits % bound;
        } while (bits - value + (bound - 1) < 0);
        return value;
    }

    /** A standard normal draw (Box-Muller on two uniforms). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A new array of {@code shape} with values drawn from U(low, high). */
    public INDArray uniform(DType dtype, double low, double high, long... shape) {
        return draw(dtype, shape, () -> low + (high - low) * nextDouble());
    }

    /** A new array of {@code shape} with values drawn from N(0, std^2). */
    public INDArray normal(DType dtype, double std, long... shape) {
        return draw(dtype, shape, () -> std * nextGaussian());
    }

    /**
     * A new array of {@code shape} filled in row-major order with {@code draw}'s values, written
     * into native memory a chunk at a time (a large model's weights never pass through one big Java
     * array, which would stay in the JVM's heap for the rest of the run).
     */
    private static INDArray draw(DType dtype, long[] shape, java.util.function.DoubleSupplier draw) {
        int n = Math.toIntExact(Tensors.elementCount(shape));
        if (shape.length == 0) {
            return Tensors.scalar(dtype, draw.getAsDouble());
        }
        INDArray a = Nd4j.create(dtype.nd4j(), shape);
        int chunk = Math.min(n, 1 << 14);
        if (dtype == DType.FLOAT32) {
            java.nio.FloatBuffer b = a.data().asNioFloat();
            float[] values = new float[chunk];
            for (int from = 0; from < n; from += chunk) {
                int len = Math.min(chunk, n - from);
                for (int i = 0; i < len; i++) {
                    values[i] = (float) draw.getAsDouble();
                }
                b.put(from, values, 0, len);
            }
        } else {
            java.nio.DoubleBuffer b = a.data().asNioDouble();
            double[] values = new double[chunk];
            for (int from = 0; from < n; from += chunk) {
                int len = Math.min(chunk, n - from);
                for (int i = 0; i < len; i++) {
                    values[i] = draw.getAsDouble();
                }
                b.put(from, values, 0, len);
            }
        }
        return a;
    }

    /** Fisher-Yates shuffle of {@code 0..n-1}. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
