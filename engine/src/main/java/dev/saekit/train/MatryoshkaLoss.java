package dev.saekit.train;

import dev.saekit.kernel.Ops;
import dev.saekit.model.SaeOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weighted loss of nested models (Matryoshka): {@code sum_i w_i L(x_hat_i, x) / sum_i w_i} over
 * the output's nested reconstructions, with {@code L} the MSE (mean over all entries) or the NMSE
 * (mean over samples of {@code |x_hat - x|^2 / |x|^2}, which assumes mean-centred data). Weights are
 * uniform ("UW"), reverse ("RW": {@code [L, ..., 1]}, the largest weight on the SMALLEST level), or
 * given.
 */
public final class MatryoshkaLoss implements Loss {

    /** The per-level reconstruction loss. */
    public enum Kind {
        MSE,
        NMSE;

        public static Kind parse(String name) {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "mse":
                    return MSE;
                case "nmse":
                    return NMSE;
                default:
                    throw new IllegalArgumentException(
                            "unknown Matryoshka level loss '" + name + "'; accepted: mse, nmse");
            }
        }
    }

    private final Kind kind;
    private final List<Double> weights;
    private final boolean reverse;

    private MatryoshkaLoss(Kind kind, List<Double> weights, boolean reverse) {
        this.kind = kind;
        this.weights = weights;
        this.reverse = reverse;
    }

    /** Equal weights ("UW"). */
    public static MatryoshkaLoss uniform(Kind kind) {
        return new MatryoshkaLoss(kind, null, false);
    }

    /** Weights {@code [L, ..., 1]} over the sorted levels ("RW"). */
    public static MatryoshkaLoss reverseWeighted(Kind kind) {
        return new MatryoshkaLoss(kind, null, true);
    }

    /** Given weights, one per level in the sorted order of the levels (they are not re-sorted). */
    public static MatryoshkaLoss weighted(List<Double> weights, Kind kind) {
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("Matryoshka weights must not be empty");
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("Matryoshka weights must be finite and >= 0, was " + weights);
            }
            sum += w;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("Matryoshka weights must not all be zero");
        }
        return new MatryoshkaLoss(kind, List.copyOf(weights), false);
    }

    public Kind kind() {
        return kind;
    }

    /** The weights of {@code levels} levels. */
    public List<Double> weights(int levels) {
        if (weights != null) {
            if (weights.size() != levels) {
                throw new IllegalArgumentException("Matryoshka loss has " + weights.size()
                        + " weights but the model has " + levels + " nesting levels");
            }
            return weights;
        }
        List<Double> w = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            w.add(reverse ? (double) (levels - i) : 1.0);
        }
        return w;
    }

    @Override
    public LossSpec spec() {
        LossSpec.Matryoshka.Weighting w = weights != null
                ? LossSpec.Matryoshka.Weighting.GIVEN
                : reverse ? LossSpec.Matryoshka.Weighting.REVERSE : LossSpec.Matryoshka.Weighting.UNIFORM;
        return new LossSpec.Matryoshka(kind, w, weights);
    }

    @Override
    public boolean dataParallel() {
        return true;
    }

    @Override
    public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
        List<INDArray> levels = output.nested();
        if (levels.isEmpty()) {
            throw new IllegalArgumentException(
                    "the Matryoshka loss needs a nested model (its output has no nested reconstructions)");
        }
        List<Double> w = weights(levels.size());
        double total = w.stream().mapToDouble(Double::doubleValue).sum();
        double loss = 0;
        INDArray rowScale =
                kind == Kind.NMSE ? x.norm2(1).muli(x.norm2(1)).rdivi(1.0).reshape(x.rows(), 1) : null;
        for (int i = 0; i < levels.size(); i++) {
            double share = w.get(i) / total;
            if (share == 0) {
                continue;
            }
            INDArray xHat = levels.get(i);
            INDArray g = grads.nested(i);
            if (kind == Kind.MSE) {
                double n = (double) grads.batchRows() * x.columns();
                loss += share * x.squaredDistance(xHat) / n;
                Ops.axpy(2.0 * share / n, xHat, g);
                Ops.axpy(-2.0 * share / n, x, g);
            } else {
                INDArray e = grads.scratchInputs().assign(xHat).subi(x);
                double rows = grads.batchRows();
                loss += share * e.mul(e).muliColumnVector(rowScale).sumNumber().doubleValue() / rows;
                Ops.axpy(2.0 * share / rows, e.muliColumnVector(rowScale), g);
            }
        }
        return loss;
    }

    @Override
    public String toString() {
        return label() + (weights != null ? weights.toString() : reverse ? "(RW)" : "(UW)");
    }
}
