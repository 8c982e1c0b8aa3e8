package dev.saekit.metrics;

import dev.saekit.kernel.RowKernels;
import dev.saekit.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Metrics of one batch. Each method documents its exact formula; none modifies its arguments.
 * Inputs {@code x}, {@code xHat} are {@code [batch, input]}, codes {@code z} are {@code [batch, concepts]}.
 */
public final class Metrics {
    /** overcomplete's epsilon in r2, Hoyer and kappa-4. */
    public static final double EPSILON = 1e-6;
    /** The threshold of {@link #l0Eps} and {@link #l0PerSample}. */
    public static final double L0_THRESHOLD = 1e-6;

    private Metrics() {}

    /** Mean squared error over all entries: {@code mean((x - xHat)^2)}. */
    public static double mse(INDArray x, INDArray xHat) {
        requireSameShape(x, xHat);
        return x.squaredDistance(xHat) / x.length();
    }

    /**
     * overcomplete's {@code r2_score}: {@code 1 - mean((x - xHat)^2) / (mean((x - mean(x))^2) + 1e-6)}
     * with ONE scalar mean over all entries of {@code x}.
     */
    public static double r2(INDArray x, INDArray xHat) {
        double totalVariance = RowKernels.variance(x);
        return 1.0 - mse(x, xHat) / (totalVariance + EPSILON);
    }

    /**
     * Fraction of variance unexplained with the per-dimension mean (SAELens, dictionary_learning):
     * {@code sum((x - xHat)^2) / sum((x - mean_over_batch(x))^2)}.
     */
    public static double fvu(INDArray x, INDArray xHat) {
        requireSameShape(x, xHat);
        double residual = x.squaredDistance(xHat);
        double total = x.var(false, 0).sumNumber().doubleValue() * x.rows();
        return residual / total;
    }

    /** {@code 1 - fvu(x, xHat)}. */
    public static double explainedVariance(INDArray x, INDArray xHat) {
        return 1.0 - fvu(x, xHat);
    }

    /** overcomplete's {@code l0}: the FRACTION of entries of {@code z} that are non-zero. */
    public static double l0Fraction(INDArray z) {
        return count(z, Conditions.notEquals(0.0)) / z.length();
    }

    /** overcomplete's {@code l0_eps}: the fraction of entries with {@code |z| >= threshold}. */
    public static double l0Eps(INDArray z, double threshold) {
        return count(z, Conditions.absGreaterThanOrEqual(threshold)) / z.length();
    }

    /** {@link #l0PerSample(INDArray)} of a forward's codes, counted on its sparse codes when it has them. */
    public static double l0PerSample(dev.saekit.model.SaeOutput out) {
        if (out.sparseCodes() != null) { // the non-zero codes of a TopK-like model: no pass over the dense codes
            return (double) out.sparseCodes().countAbsAtLeast(L0_THRESHOLD)
                    / out.sparseCodes().rows();
        }
        return l0PerSample(out.codes());
    }

    /**
     * The L0 the training loop logs: the mean COUNT per sample of codes with {@code |z| >= 1e-6}
     * (absolute value: matching-pursuit codes can be negative).
     */
    public static double l0PerSample(INDArray z) {
        return (double) dev.saekit.kernel.RowKernels.countAbsAtLeast(z, L0_THRESHOLD)
                / z.rows(); // one pass, every step
    }

    /** Fraction of concepts (columns) with no non-zero code in this batch. */
    public static double deadFraction(INDArray z) {
        // counted here, not with Conditions.equals(0.0): ND4J's MatchCondition compares for equality
        // within 1e-5, which would call a concept whose largest code is 3e-6 dead
        double[] activity = z.amax(0).castTo(DataType.DOUBLE).toDoubleVector();
        int dead = 0;
        for (double a : activity) {
            dead += a == 0.0 ? 1 : 0;
        }
        return (double) dead / activity.length;
    }

    /**
     * Hoyer sparsity, averaged over rows: {@code (sqrt(c) - l1/(l2 + 1e-6)) / (sqrt(c) - 1)}; 1 is
     * one-hot, 0 is flat.
     */
    public static double hoyer(INDArray z) {
        if (z.columns() < 2) {
            throw new IllegalArgumentException("Hoyer sparsity needs at least 2 concepts, got " + z.columns());
        }
        double sqrtC = Math.sqrt(z.columns());
        INDArray ratio = z.norm1(1).divi(z.norm2(1).addi(EPSILON));
        return ratio.rsubi(sqrtC).divi(sqrtC - 1).meanNumber().doubleValue();
    }

    /** Kappa-4 (kurtosis-like sparsity), averaged over rows: {@code sum(z^4) / (sum(z^2)^2 + 1e-6)}. */
    public static double kappa4(INDArray z) {
        INDArray sq = Transforms.pow(z, 2, true);
        INDArray fourth = Transforms.pow(sq, 2, true).sum(1);
        INDArray sumSq = sq.sum(1);
        return fourth.divi(sumSq.muli(sumSq).addi(EPSILON)).meanNumber().doubleValue();
    }

    /** Ratio {@code l1 / (l2 + 1e-6)} of each row, averaged over rows. */
    public static double l1L2Ratio(INDArray z) {
        return z.norm1(1).divi(z.norm2(1).addi(EPSILON)).meanNumber().doubleValue();
    }

    /**
     * Mean over rows of the cosine similarity between each input and its reconstruction,
     * {@code <x, xHat> / (|x| |xHat| + 1e-8)}.
     */
    public static double cosineSimilarity(INDArray x, INDArray xHat) {
        requireSameShape(x, xHat);
        // reshaped: ND4J's norm2(1) of a one-column [n, 1] matrix is [n, 1], its sum(1) is [n]
        long rows = x.rows();
        INDArray dots = x.mul(xHat).sum(1).reshape(rows);
        INDArray norms =
                x.norm2(1).reshape(rows).muli(xHat.norm2(1).reshape(rows)).addi(1e-8);
        return dots.divi(norms).meanNumber().doubleValue();
    }

    static double count(INDArray a, org.nd4j.linalg.indexing.conditions.Condition condition) {
        return Nd4j.getExecutioner().exec(new MatchCondition(a, condition)).getDouble(0);
    }

    private static void requireSameShape(INDArray x, INDArray xHat) {
        if (!Arrays.equals(x.shape(), xHat.shape())) {
            throw new IllegalArgumentException("inputs and reconstructions must have the same shape, were "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(xHat.shape()));
        }
        Tensors.requireDType("reconstruction", xHat, Tensors.dtypeOf(x));
    }
}
