package dev.saekit.tensor;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The engine's only source of randomness: a seeded {@link SplittableRandom}, so that a run is
 * reproducible from the seed in its config on any machine and thread count. Arrays are filled
 * in row-major order.
 */
public final class SeededRandom {
    private final long seed;
    private final SplittableRandom random;

    public SeededRandom(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    /** An independent generator whose stream depends only on this one's seed and {@code salt}. */
    public SeededRandom derive(long salt) {
        return new SeededRandom(new SplittableRandom(seed ^ (salt * 0x9E3779B97F4A7C15L)).nextLong());
    }

    public double nextDouble() {
        return random.nextDouble();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** A standard normal draw (Box-Muller on two uniforms). */
    public double nextGaussian() {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A new array of {@code shape} with values drawn from U(low, high). */
    public INDArray uniform(DType dtype, double low, double high, long... shape) {
        double[] data = new double[Math.toIntExact(Tensors.elementCount(shape))];
        for (int i = 0; i < data.length; i++) {
            data[i] = low + (high - low) * random.nextDouble();
        }
        return Tensors.fromFlat(dtype, data, shape);
    }

    /** A new array of {@code shape} with values drawn from N(0, std^2). */
    public INDArray normal(DType dtype, double std, long... shape) {
        double[] data = new double[Math.toIntExact(Tensors.elementCount(shape))];
        for (int i = 0; i < data.length; i++) {
            data[i] = std * nextGaussian();
        }
        return Tensors.fromFlat(dtype, data, shape);
    }

    /** Fisher-Yates shuffle of {@code 0..n-1}. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
