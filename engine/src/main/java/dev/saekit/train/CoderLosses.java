package dev.saekit.train;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.RowKernels;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.SaeOutput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reconstruction and sparsity terms that transcoders and crosscoders train with in the peer
 * libraries: sparsify's fraction of variance unexplained, and the crosscoder paper's per-layer
 * Euclidean error and decoder-norm-weighted L1 penalty (as dictionary_learning's crosscoder trainer
 * computes them). {@code y} is what the model's output is compared with: its input for an
 * autoencoder or a crosscoder, the target for a transcoder.
 */
public final class CoderLosses {
    private CoderLosses() {}

    /**
     * sparsify's {@code fvu}: {@code sum((y - y_hat)^2) / sum((y - mean_rows(y))^2)}, both sums over
     * every entry of the batch (the total variance of the target, no {@code 1/N}).
     */
    public record Fvu() implements Loss {
        @Override
        public LossSpec spec() {
            return new LossSpec.Fvu();
        }

        @Override
        public boolean dataParallel() {
            return true;
        }

        @Override
        public double evaluate(INDArray y, SaeOutput output, INDArray d, LossGradients grads) {
            INDArray yHat = output.reconstruction();
            INDArray centred = grads.scratch("fvu-centred", y.rows(), y.columns());
            double total = grads.batchTotalVariance(y, centred);
            if (!(total > 0)) {
                throw new IllegalArgumentException("the FVU loss divides by the batch's total variance of the target, "
                        + "which is " + total + " (every row of the batch is the same): use a batch of distinct rows");
            }
            INDArray diff = centred.assign(yHat).subi(y); // the centred target is no longer needed
            double squares = RowKernels.sumOfSquares(diff);
            Ops.axpy(2.0 / total, diff, grads.reconstruction());
            return squares / total;
        }

        @Override
        public String toString() {
            return "fvu";
        }
    }

    /**
     * The crosscoder paper's reconstruction error: the Euclidean norm (not squared) of each layer's
     * error {@code ||y[b, l] - y_hat[b, l]||}, averaged over the batch and the {@code layers} layers.
     * A block reconstructed exactly sends no gradient (torch's subgradient of the norm at zero).
     */
    public record LayerL2(int layers) implements Loss {
        public LayerL2 {
            if (layers < 1) {
                throw new IllegalArgumentException("layer_l2 needs layers >= 1, was " + layers);
            }
        }

        @Override
        public LossSpec spec() {
            return new LossSpec.LayerL2(layers);
        }

        @Override
        public boolean dataParallel() {
            return true;
        }

        @Override
        public double evaluate(INDArray y, SaeOutput output, INDArray d, LossGradients grads) {
            long rows = y.rows();
            long width = y.columns();
            if (width % layers != 0) {
                throw new IllegalArgumentException("layer_l2 over " + layers + " layers needs a width that is a "
                        + "multiple of " + layers + ", was " + width);
            }
            long block = width / layers;
            INDArray diff = grads.scratch("layer-l2-diff", rows, width).assign(output.reconstruction());
            diff.subi(y);
            INDArray blocks = diff.reshape(rows * layers, block);
            INDArray norms = blocks.norm2(1);
            double count = (double) grads.batchRows() * layers;
            double value = norms.sumNumber().doubleValue() / count;
            // d/d y_hat of ||y_hat - y|| / count = (y_hat - y) / (||y_hat - y|| count)
            INDArray positive = norms.gt(0).castTo(norms.dataType());
            INDArray inverse = positive.div(norms.add(positive.rsub(1.0)).muli(count));
            INDArray g = blocks.mulColumnVector(inverse.reshape(rows * layers, 1));
            grads.reconstruction().addi(g.reshape(rows, width));
            return value;
        }

        @Override
        public String toString() {
            return "layer_l2(layers=" + layers + ")";
        }
    }

    /**
     * The crosscoder paper's sparsity penalty: {@code lambda * mean_rows(sum_j |z_j| w_j)}, each
     * latent weighted by its decoder norms {@code w} ({@link CodeNormalization}). Its gradient reaches
     * the codes and, through {@code w}, the dictionary.
     */
    public record WeightedL1(double lambda, int layers, CodeNormalization normalization) implements Loss {
        public WeightedL1 {
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("weighted_l1 lambda must be finite and >= 0, was " + lambda);
            }
            if (layers < 1) {
                throw new IllegalArgumentException("weighted_l1 needs layers >= 1, was " + layers);
            }
            if (normalization == null) {
                throw new IllegalArgumentException("weighted_l1 needs a code normalization: crosscoder, sae or none");
            }
        }

        @Override
        public LossSpec spec() {
            return new LossSpec.WeightedL1(lambda, layers, normalization);
        }

        @Override
        public boolean dataParallel() {
            return true;
        }

        @Override
        public double evaluate(INDArray y, SaeOutput output, INDArray d, LossGradients grads) {
            if (d.columns() % layers != 0) {
                throw new IllegalArgumentException("weighted_l1 over " + layers + " layers needs a dictionary whose "
                        + "width is a multiple of " + layers + ", was " + d.columns());
            }
            INDArray z = output.codes();
            long rows = grads.batchRows();
            CodeNormalization.Weights weights = normalization.weights(d, layers);
            INDArray w = weights.w().castTo(z.dataType());
            INDArray abs = Nd4j.math().abs(z.dup());
            INDArray absSums = abs.sum(0); // sum over rows of |z_bj|
            double value = lambda * absSums.mul(w).sumNumber().doubleValue() / rows;
            if (lambda == 0) {
                return 0.0;
            }
            // dL/dz = lambda / rows * sign(z) * w
            INDArray sign = Nd4j.math().sign(z.dup());
            grads.codes().addi(sign.muliRowVector(w).muli(lambda / rows));
            // dL/dw_j = lambda / rows * sum_b |z_bj|, into the dictionary through w
            INDArray gradW = absSums.muli(lambda / rows);
            normalization.backward(d, layers, gradW, weights, grads.dictionary(d));
            return value;
        }

        @Override
        public String toString() {
            return "weighted_l1(lambda=" + lambda + ", " + normalization.label() + ")";
        }
    }
}
