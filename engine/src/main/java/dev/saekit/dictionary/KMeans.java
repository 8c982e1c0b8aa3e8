package dev.saekit.dictionary;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * k-means (Lloyd's algorithm with k-means++ seeding) to pick candidate points for a
 * {@link RelaxedArchetypalDictionary}, as the archetypal SAE paper recommends. Distances use one
 * matrix product per iteration; an empty cluster is re-seeded with the point farthest from its
 * centroid. Deterministic for a given seed.
 */
public final class KMeans {
    private KMeans() {}

    /**
     * {@code k} centroids of a data set: k-means over a seeded sample of at most {@code maxRows} of its
     * rows ({@link dev.saekit.data.Dataset#sample}), so a data set streamed from disk is read once.
     */
    public static INDArray fit(dev.saekit.data.Dataset data, int k, int maxRows, int iterations, long seed) {
        if (maxRows < k) {
            throw new IllegalArgumentException(
                    "maxRows must be >= k=" + k + " (k-means needs a row per centroid), was " + maxRows);
        }
        return fit(data.sample(maxRows, seed), k, iterations, seed);
    }

    /**
     * {@code k} centroids {@code [k, d]} of the rows of {@code data [n, d]} after at most
     * {@code iterations} Lloyd steps (stops early when no assignment changes).
     */
    public static INDArray fit(INDArray data, int k, int iterations, long seed) {
        if (data.rank() != 2 || data.rows() == 0) {
            throw new IllegalArgumentException(
                    "k-means needs a non-empty matrix [n, d], was shape " + java.util.Arrays.toString(data.shape()));
        }
        int n = (int) data.rows();
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1..rows=" + n + ", was " + k);
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0, was " + iterations);
        }
        DType dtype = Tensors.dtypeOf(data).equals(DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
        INDArray x = Tensors.copy(data, dtype);
        SeededRandom rng = new SeededRandom(seed);
        INDArray centroids = seedPlusPlus(x, k, rng);
        INDArray sqNorms = x.mul(x).sum(1);
        int[] assign = new int[n];
        java.util.Arrays.fill(assign, -1);
        for (int it = 0; it < iterations; it++) {
            INDArray dist = distances(x, sqNorms, centroids);
            boolean changed = false;
            int[] counts = new int[k];
            for (int i = 0; i < n; i++) {
                int best = Nd4j.argMax(dist.getRow(i).neg()).getInt(0);
                changed |= best != assign[i];
                assign[i] = best;
                counts[best]++;
            }
            if (!changed) {
                break;
            }
            INDArray sums = Tensors.zeros(dtype, k, x.columns());
            for (int i = 0; i < n; i++) {
                sums.getRow(assign[i]).addi(x.getRow(i));
            }
            for (int j = 0; j < k; j++) {
                if (counts[j] > 0) {
                    centroids.putRow(j, sums.getRow(j).divi(counts[j]));
                } else {
                    int far = Nd4j.argMax(dist.min(1)).getInt(0);
                    centroids.putRow(j, x.getRow(far));
                }
            }
        }
        return centroids;
    }

    private static INDArray seedPlusPlus(INDArray x, int k, SeededRandom rng) {
        int n = (int) x.rows();
        INDArray centroids = Tensors.zeros(Tensors.dtypeOf(x), k, x.columns());
        centroids.putRow(0, x.getRow(rng.nextInt(n)));
        double[] nearest = new double[n];
        java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int j = 1; j < k; j++) {
            INDArray diff = x.subRowVector(centroids.getRow(j - 1));
            double[] d2 = diff.mul(diff).sum(1).toDoubleVector();
            double total = 0;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], d2[i]);
                total += nearest[i];
            }
            int pick = n - 1;
            double u = rng.nextDouble() * total;
            for (int i = 0; i < n; i++) {
                u -= nearest[i];
                if (u <= 0) {
                    pick = i;
                    break;
                }
            }
            centroids.putRow(j, x.getRow(pick));
        }
        return centroids;
    }

    /** Squared distances {@code [n, k]}: {@code |x|^2 - 2 x c^T + |c|^2}. */
    private static INDArray distances(INDArray x, INDArray sqNorms, INDArray centroids) {
        INDArray cNorms = centroids.mul(centroids).sum(1);
        INDArray d = x.mmul(centroids.transpose()).muli(-2.0);
        return d.addiColumnVector(sqNorms.reshape(x.rows(), 1)).addiRowVector(cNorms);
    }
}
