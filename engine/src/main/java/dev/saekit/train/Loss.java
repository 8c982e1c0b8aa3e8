package dev.saekit.train;

import dev.saekit.model.SaeOutput;
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

    /**
     * What this loss is, as data: {@link LossSpec#build()} makes an equal loss again, which is how a
     * checkpoint records it. A loss written outside saekit returns a {@link LossSpec.Custom}.
     */
    LossSpec spec();

    /** A short name for logs, derived from the spec ({@code mse+auxk}). */
    default String label() {
        return spec().label();
    }

    double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads);

    /**
     * Whether this loss can be trained data-parallel: evaluated by each worker on its part of the
     * batch with {@link LossGradients#shareBatch}, its values and gradients add up over the workers to
     * the whole batch's. True for the terms that normalise by {@link LossGradients#batchRows()} and sum
     * their batch statistics over {@link LossGradients#collective()}; false by default, so that a
     * loss written outside saekit is refused instead of trained wrongly.
     */
    default boolean dataParallel() {
        return false;
    }

    /** Listeners this term needs the trainer to run (none by default); a sum lists those of its terms. */
    default List<TrainingListener> listeners() {
        return List.of();
    }

    /**
     * This loss with the coefficient of its sparsity penalty (the L1 terms) multiplied by {@code factor}
     * in {@code [0, 1]}: how a sparsity warm-up ({@link TrainingConfig#sparsityWarmupSteps()}) weighs the
     * penalty during its first steps. Terms without a sparsity coefficient return themselves, so a loss
     * keeps its listeners (AuxK's tracker) and its state.
     */
    default Loss withSparsityFactor(double factor) {
        return this;
    }

    /** This loss with its value and every gradient multiplied by {@code weight} (finite, {@code >= 0}). */
    default Loss times(double weight) {
        return new WeightedLoss(this, weight);
    }

    /** This loss plus {@code other}: the values and gradients of this, then of {@code other}. */
    default Loss plus(Loss other) {
        return SumLoss.of(this, other);
    }
}
