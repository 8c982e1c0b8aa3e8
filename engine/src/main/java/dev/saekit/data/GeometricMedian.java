package dev.saekit.data;

import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The geometric median of the rows of a matrix: the point {@code m} minimising
 * {@code sum_i ||x_i - m||}, by Weiszfeld's iteration as the SAE trainers compute it for a decoder
 * bias. Start at the mean row; each step weighs every row by {@code 1 / ||x_i - guess||}, normalises
 * the weights to sum 1 and takes the weighted mean; stop when the guess moves by less than
 * {@code tol} (Euclidean norm) or after {@code maxIter} steps (defaults 100 and 1e-5).
 *
 * <p>A row that coincides with the guess (distance 0) would get an infinite weight; its distance is
 * taken as the smallest positive normal double instead, so the guess stays at that row, which is
 * then the median or close to it (Weiszfeld's iteration is not defined there).
 *
 * <p>Works on any {@code [n, d]} matrix, views included: a crosscoder's per-layer block
 * {@code x.get(all(), interval(l * d, (l + 1) * d))} gives that layer's median.
 */
public final class GeometricMedian {
    /** Weiszfeld steps at most, by default. */
    public static final int MAX_ITER = 100;
    /** The default stopping tolerance on the move of the guess. */
    public static final double TOL = 1e-5;

    private GeometricMedian() {}

    /** The geometric median of the rows of {@code x [n, d]} ({@value #MAX_ITER} steps at most, tol {@value #TOL}). */
    public static INDArray of(INDArray x) {
        return of(x, MAX_ITER, TOL);
    }

    /**
     * The geometric median of the rows of {@code x [n, d]}, a new {@code [d]} array in {@code x}'s
     * data type, after at most {@code maxIter} Weiszfeld steps.
     */
    public static INDArray of(INDArray x, int maxIter, double tol) {
        if (x.rank() != 2 || x.rows() == 0 || x.columns() == 0) {
            throw new IllegalArgumentException("the geometric median needs a non-empty matrix [n, d], got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (maxIter < 0) {
            throw new IllegalArgumentException("maxIter must be >= 0, was " + maxIter);
        }
        if (!(tol >= 0)) {
            throw new IllegalArgumentException("tol must be >= 0, was " + tol);
        }
        INDArray points = x.dup('c');
        long n = points.rows();
        long d = points.columns();
        INDArray guess = points.mean(0).reshape(1, d);
        INDArray diff = points.ulike();
        INDArray weights = Tensors.zeros(dev.saekit.tensor.DType.of(points.dataType()), 1, n);
        for (int it = 0; it < maxIter; it++) {
            diff.assign(points).subiRowVector(guess);
            INDArray dist = diff.norm2(1);
            double total = 0;
            for (long i = 0; i < n; i++) {
                double w = 1.0 / Math.max(dist.getDouble(i), Double.MIN_NORMAL);
                weights.putScalar(i, w);
                total += w;
            }
            weights.divi(total);
            INDArray next = Nd4j.gemm(weights, points, false, false);
            double moved = next.distance2(guess);
            guess = next;
            if (moved < tol) {
                break;
            }
        }
        return guess.reshape(d);
    }
}
