package dev.saekit.train;

import dev.saekit.model.SaeOutput;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training objective over one batch. {@link #evaluate} returns the loss value and ADDS its
 * gradients with respect to the outputs into {@code grads}, so terms compose with {@link #plus}.
 * The dictionary {@code d} is the matrix the trainer fetched for the loss (as the reference's
 * training loop does), for terms that use it.
 *
 * <p>A term that follows the run (AuxK watches which concepts are dead) names the listeners it
 * needs in {@link #listeners()}; the trainer runs them, so a loss is complete on its own.
 */
public interface Loss {

    /** The name used in configs and on the command line (e.g. {@code mse_l1}). */
    String name();

    double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads);

    /** Listeners this term needs the trainer to run (none by default); a sum lists those of its terms. */
    default List<TrainingListener> listeners() {
        return List.of();
    }

    /** This loss with its value and every gradient multiplied by {@code weight} (finite, {@code >= 0}). */
    default Loss times(double weight) {
        return new WeightedLoss(this, weight);
    }

    /** This loss plus {@code other}. */
    default Loss plus(Loss other) {
        Loss self = this;
        return new Loss() {
            @Override
            public List<TrainingListener> listeners() {
                List<TrainingListener> all = new ArrayList<>(self.listeners());
                other.listeners().stream().filter(l -> !all.contains(l)).forEach(all::add);
                return List.copyOf(all);
            }

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
