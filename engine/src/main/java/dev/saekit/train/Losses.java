package dev.saekit.train;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.VariantSpec;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The built-in reconstruction losses. */
public final class Losses {
    /** Names accepted by {@link #parse}. */
    public static final String NAMES = "mse, mse_l1";
    /** The L1 weight of the default {@code mse_l1}: it multiplies a sum over the batch, so it is small. */
    public static final double DEFAULT_L1 = 4e-5;
    /** The weight of a ReLU crosscoder's decoder-weighted L1 term: dictionary_learning's default {@code l1_penalty}. */
    public static final double DEFAULT_CROSSCODER_L1 = 0.1;

    private Losses() {}

    /** {@code mean((x - x_hat)^2)} over all {@code batch * input} entries. */
    public static Loss mse() {
        return new Mse();
    }

    /** {@code mean((x - x_hat)^2) + lambda * sum(|z|)}, the L1 sum taken over the whole batch. */
    public static Loss mseL1(double lambda) {
        return new MseL1(lambda);
    }

    /** {@code lambda * sum(|z|)} over the whole batch, alone: {@code mse().plus(l1(lambda))} is {@link #mseL1}. */
    public static Loss l1(double lambda) {
        return new L1(lambda);
    }

    /**
     * The loss a model of {@code variant} trains with unless told otherwise, the same for every front
     * end: the uniform nested MSE for the Matryoshkas, {@code mse_l1} ({@link #DEFAULT_L1}) for the
     * variants whose sparsity comes from the loss (vanilla, JumpReLU), {@code mse} for the others.
     */
    public static Loss defaultFor(VariantSpec variant) {
        if (variant.nested()) {
            return MatryoshkaLoss.uniform(MatryoshkaLoss.Kind.MSE);
        }
        return variant.sparsityFromLoss() ? mseL1(DEFAULT_L1) : mse();
    }

    /**
     * The loss a model of {@code spec} trains with unless told otherwise: {@link #defaultFor(VariantSpec,
     * CoderSpec)} of its variant and coder.
     */
    public static Loss defaultFor(ModelSpec spec) {
        return defaultFor(spec.variant(), spec.coder());
    }

    /**
     * The loss a {@code coder} of {@code variant} trains with in the peer libraries, auxiliary terms
     * aside: an autoencoder's or a transcoder's is {@link #defaultFor(VariantSpec)} (the MSE against
     * the target, sparsify's and SAELens's); a crosscoder's is the crosscoder paper's per-layer error
     * ({@link CoderLosses.LayerL2}), the nested MSE for the Matryoshkas, and for the variants whose
     * sparsity comes from the loss the decoder-weighted L1 ({@link CoderLosses.WeightedL1},
     * {@value #DEFAULT_CROSSCODER_L1}) as dictionary_learning's ReLU crosscoder trains.
     */
    public static Loss defaultFor(VariantSpec variant, CoderSpec coder) {
        if (!(coder instanceof CoderSpec.Crosscoder c) || variant.nested()) {
            return defaultFor(variant);
        }
        Loss error = new CoderLosses.LayerL2(c.layers());
        return variant.sparsityFromLoss()
                ? error.plus(new CoderLosses.WeightedL1(DEFAULT_CROSSCODER_L1, c.layers(), c.normalization()))
                : error;
    }

    /** {@code mse} or {@code mse_l1} (with {@code l1Penalty}); the error lists the accepted names. */
    public static Loss parse(String name, double l1Penalty) {
        switch (name.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "mse":
                return mse();
            case "mse_l1":
                return mseL1(l1Penalty);
            default:
                throw new IllegalArgumentException("unknown loss '" + name + "'; accepted: " + NAMES);
        }
    }

    /** Mean squared reconstruction error; {@code dL/dx_hat = 2 (x_hat - x) / (batch * input)}. */
    public record Mse() implements Loss {
        @Override
        public LossSpec spec() {
            return new LossSpec.Mse();
        }

        @Override
        public String toString() {
            return "mse";
        }

        @Override
        public boolean dataParallel() {
            return true;
        }

        @Override
        public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
            INDArray xHat = output.reconstruction();
            double n = (double) grads.batchRows() * x.columns(); // the whole batch's entries
            Ops.axpy(2.0 / n, xHat, grads.reconstruction());
            Ops.axpy(-2.0 / n, x, grads.reconstruction());
            return x.squaredDistance(xHat) / n;
        }
    }

    /** {@code mse + lambda * sum(|z|)}; the L1 term's gradient is {@code lambda * sign(z)}. */
    public record MseL1(double lambda) implements Loss {
        public MseL1 {
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("l1 penalty lambda must be finite and >= 0, was " + lambda);
            }
        }

        @Override
        public LossSpec spec() {
            return new LossSpec.MseL1(lambda);
        }

        @Override
        public String toString() {
            return "mse_l1(lambda=" + lambda + ")";
        }

        @Override
        public Loss withSparsityFactor(double factor) {
            return factor == 1.0 ? this : new MseL1(lambda * factor);
        }

        @Override
        public boolean dataParallel() {
            return true;
        }

        @Override
        public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
            double mse = new Mse().evaluate(x, output, d, grads);
            return mse + new L1(lambda).evaluate(x, output, d, grads);
        }
    }

    /** {@code lambda * sum(|z|)}; its gradient is {@code lambda * sign(z)}. */
    public record L1(double lambda) implements Loss {
        public L1 {
            if (!(lambda >= 0) || !Double.isFinite(lambda)) {
                throw new IllegalArgumentException("l1 penalty lambda must be finite and >= 0, was " + lambda);
            }
        }

        @Override
        public LossSpec spec() {
            return new LossSpec.L1(lambda);
        }

        @Override
        public String toString() {
            return "l1(lambda=" + lambda + ")";
        }

        @Override
        public Loss withSparsityFactor(double factor) {
            return factor == 1.0 ? this : new L1(lambda * factor);
        }

        @Override
        public boolean dataParallel() {
            return true; // a sum over rows: the workers' parts add up
        }

        @Override
        public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
            if (lambda == 0) {
                return 0.0;
            }
            // the gradient lambda * sign(z) stays a number: the model adds it where it reads dL/dz
            grads.addCodeSign(lambda);
            SparseCodes nonZero = output.sparseCodes();
            if (nonZero != null) { // every other code is 0: no pass over the dense codes
                double[] values = nonZero.values();
                double sum = 0;
                for (int e = 0; e < nonZero.nonZeros(); e++) {
                    sum += Math.abs(values[e]);
                }
                return lambda * sum;
            }
            INDArray z = output.codes();
            return lambda * z.norm1Number().doubleValue();
        }
    }
}
