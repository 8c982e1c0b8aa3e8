package dev.saekit.train;

import dev.saekit.kernel.Ops;
import dev.saekit.model.SaeOutput;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * overcomplete's reanimation regulariser, only the regulariser term (add it to a reconstruction
 * loss): {@code -penalty * sum(z_pre * dead) / (sum(dead) + 1e-6)}, where {@code dead} marks the
 * latents whose codes sum to zero over the batch. It pushes dead latents' pre-activations up.
 */
public record ReanimationLoss(double penalty) implements Loss {

    public ReanimationLoss {
        if (!(penalty >= 0) || !Double.isFinite(penalty)) {
            throw new IllegalArgumentException("penalty must be finite and >= 0, was " + penalty);
        }
    }

    @Override
    public LossSpec spec() {
        return new LossSpec.Reanimation(penalty);
    }

    @Override
    public double evaluate(INDArray x, SaeOutput out, INDArray d, LossGradients grads) {
        INDArray sums = out.codes().sum(0);
        int c = (int) sums.length();
        double[] dead = new double[c];
        double nDead = 0;
        for (int j = 0; j < c; j++) {
            dead[j] = sums.getDouble(j) == 0.0 ? 1.0 : 0.0;
            nDead += dead[j];
        }
        if (nDead == 0 || penalty == 0) {
            return 0.0;
        }
        INDArray deadRow = Tensors.fromFlat(Tensors.dtypeOf(x), dead, c);
        double scale = -penalty / (nDead + 1e-6);
        double loss = scale * out.preCodes().mulRowVector(deadRow).sumNumber().doubleValue();
        INDArray g = grads.scratchCodes().assign(0).addiRowVector(deadRow);
        Ops.axpy(scale, g, grads.preCodes());
        return loss;
    }
}
