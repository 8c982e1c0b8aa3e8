package dev.saekit.train;

import dev.saekit.model.SaeOutput;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training objective over one batch. {@link #evaluate} returns the loss value and ADDS its
 * gradients with respect to the outputs into {@code grads}, so terms compose with {@link #plus}.
 * The dictionary {@code d} is the matrix the trainer fetched for the loss (as the reference's
 * training loop does), for terms that use it.
 */
public interface Loss {

    /** The name used in configs and on the command line (e.g. {@code mse_l1}). */
    String name();

    double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads);

    /** This loss plus {@code other}. */
    default Loss plus(Loss other) {
        Loss self = this;
        return new Loss() {
            @Override
            public String name() {
                return self.name() + "+" + other.name();
            }

            @Override
            public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
                return self.evaluate(x, output, d, grads) + other.evaluate(x, output, d, grads);
            }

            @Override
            public String toString() {
                return self + " + " + other;
            }
        };
    }
}
