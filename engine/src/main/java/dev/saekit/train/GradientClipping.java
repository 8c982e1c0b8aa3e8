package dev.saekit.train;

import dev.saekit.kernel.RowKernels;
import dev.saekit.tensor.Parameter;
import java.util.List;

/** Global-norm gradient clipping, as torch's {@code clip_grad_norm_}. */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * The l2 norm of all trainable gradients taken together. A gradient whose sum of squares its
     * backward kernel recorded as it wrote it ({@link Parameter#recordedGradSquaredSum()}) is not
     * read again.
     */
    public static double globalNorm(List<Parameter> parameters) {
        double sq = 0;
        for (Parameter p : parameters) {
            if (p.isTrainable()) {
                double recorded = p.recordedGradSquaredSum();
                sq += Double.isNaN(recorded) ? RowKernels.sumOfSquares(p.grad()) : recorded;
            }
        }
        return Math.sqrt(sq);
    }

    /**
     * The factor clipping applies to gradients of global norm {@code norm}: {@code maxNorm / (norm + 1e-6)}
     * when that is below 1, else 1 (also for a non-finite norm, which the divergence check reports).
     */
    public static double coefficient(double norm, double maxNorm) {
        double coef = maxNorm / (norm + 1e-6);
        return coef < 1 && Double.isFinite(norm) ? coef : 1.0;
    }
}
