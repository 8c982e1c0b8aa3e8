package dev.saekit.train;

import dev.saekit.model.SaeOutput;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code weight * term}: the term adds its gradients into a private {@link LossGradients}, which are
 * then added, scaled, into the step's. Made by {@link Loss#times}.
 */
final class WeightedLoss implements Loss {
    private final Loss term;
    private final double weight;
    private LossGradients own;

    WeightedLoss(Loss term, double weight) {
        if (term == null) {
            throw new IllegalArgumentException("the weighted loss term is null");
        }
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException(
                    "loss weight must be finite and >= 0, was " + weight + " (for " + term + ")");
        }
        this.term = term;
        this.weight = weight;
    }

    @Override
    public LossSpec spec() {
        return new LossSpec.Weighted(term.spec(), weight);
    }

    @Override
    public Loss withSparsityFactor(double factor) {
        Loss scaled = term.withSparsityFactor(factor);
        return scaled == term ? this : new WeightedLoss(scaled, weight);
    }

    @Override
    public List<TrainingListener> listeners() {
        return term.listeners();
    }

    @Override
    public boolean dataParallel() {
        return term.dataParallel();
    }

    @Override
    public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
        if (own == null || own.dtype() != grads.dtype()) {
            own = new LossGradients(grads.dtype());
        }
        own.reset(output);
        own.shareBatch(grads.batchRows(), grads.collective());
        double value = term.evaluate(x, output, d, own);
        grads.addScaled(own, weight);
        return weight * value;
    }

    @Override
    public String toString() {
        return weight + " * " + term;
    }
}
