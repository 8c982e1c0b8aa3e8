package dev.saekit.train;

import dev.saekit.model.SaeOutput;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The revive term recommended for matching-pursuit SAEs (overcomplete's docs): when more than
 * {@code minDead} atoms are dead (their largest code over the batch is below {@code threshold}),
 * subtract {@code coefficient * mean((r D^T)[:, dead])}, with {@code r} the final residual (the
 * model's pre-codes), so dead atoms turn toward what is left unexplained. Defaults: 1e-2, 1e-2, 10.
 */
public record MatchingPursuitReviveLoss(double coefficient, double threshold, int minDead) implements Loss {

    public MatchingPursuitReviveLoss {
        if (!(coefficient >= 0) || !Double.isFinite(coefficient)) {
            throw new IllegalArgumentException("coefficient must be finite and >= 0, was " + coefficient);
        }
        if (minDead < 0) {
            throw new IllegalArgumentException("minDead must be >= 0, was " + minDead);
        }
    }

    /** The reference's recommendation: coefficient 1e-2, threshold 1e-2, more than 10 dead. */
    public MatchingPursuitReviveLoss() {
        this(1e-2, 1e-2, 10);
    }

    @Override
    public LossSpec spec() {
        return new LossSpec.MpRevive(coefficient, threshold, minDead);
    }

    @Override
    public double evaluate(INDArray x, SaeOutput out, INDArray d, LossGradients grads) {
        INDArray residual = out.preCodes();
        if (residual.columns() != d.columns()) {
            throw new IllegalArgumentException(
                    "the revive term needs a matching-pursuit model, whose pre-codes are the residual");
        }
        INDArray maxCode = out.codes().max(0);
        int c = (int) maxCode.length();
        double[] dead = new double[c];
        int nDead = 0;
        for (int j = 0; j < c; j++) {
            if (maxCode.getDouble(j) < threshold) {
                dead[j] = 1.0;
                nDead++;
            }
        }
        if (nDead <= minDead || coefficient == 0) {
            return 0.0;
        }
        double rows = residual.rows();
        double scale = -coefficient / (rows * nDead);
        INDArray deadCol = Tensors.fromFlat(Tensors.dtypeOf(x), dead, 1, c);
        // sum over rows and dead atoms of <r_b, D_j> = <sum_b r_b, sum_{j dead} D_j>
        INDArray deadAtomSum = deadCol.mmul(d); // [1, input]
        INDArray residualSum = residual.sum(true, 0); // [1, input]
        double loss = scale * residualSum.mul(deadAtomSum).sumNumber().doubleValue();
        grads.preCodes().addiRowVector(deadAtomSum.mul(scale));
        Nd4j.gemm(deadCol, residualSum, grads.dictionary(d), true, false, scale, 1.0);
        return loss;
    }
}
