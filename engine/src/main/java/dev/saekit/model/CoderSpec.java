package dev.saekit.model;

import java.util.Objects;

/**
 * What a model reads and what it writes back: its own input (an autoencoder), another activation
 * (a transcoder), or the activations of several layers at once (a crosscoder). The sparsity variant
 * ({@link VariantSpec}) is independent of it: every variant that encodes with a linear encoder
 * works in every coder.
 *
 * <p>Transcoders and crosscoders use the SAELens parameter layout ({@code W_enc [in, F]},
 * {@code b_enc}, {@code W_dec [F, out]}, {@code b_dec [out]}) with no decoder-bias subtraction on
 * the input, as sparsify, SAELens and dictionary_learning do.
 */
public sealed interface CoderSpec {

    /** The width of the model's output (its reconstruction or prediction) for an input of {@code inputDim}. */
    int outputDim(int inputDim);

    /**
     * The width of a training row: the input, followed by the target when the target is not the
     * input (a transcoder's rows are {@code [x_in | y]}).
     */
    default int rowWidth(int inputDim) {
        return inputDim;
    }

    /** A short name for logs and JSON: {@code autoencoder}, {@code transcoder}, {@code crosscoder}. */
    String kind();

    /** Checks this coder against the rest of the model; an {@link IllegalArgumentException} says what does not fit. */
    default void check(ModelSpec model) {}

    /** An autoencoder: it reconstructs its own input. */
    record Autoencoder() implements CoderSpec {
        @Override
        public int outputDim(int inputDim) {
            return inputDim;
        }

        @Override
        public String kind() {
            return "autoencoder";
        }
    }

    /**
     * A transcoder (Dunefsky et al. 2024): it reads {@code x_in [inputDim]} and predicts another
     * activation {@code y [outputDim]}, typically an MLP's output from its input:
     * {@code y_hat = z W_dec + b_dec (+ x_in W_skip^T)}. With {@code skip}, a linear skip path
     * {@code W_skip [outputDim, inputDim]} starts at zero (Paulo et al. 2025, "skip transcoders").
     */
    record Transcoder(int outputDim, boolean skip) implements CoderSpec {
        public Transcoder {
            InvalidSettingException.require(outputDim >= 1, "transcoder", "output_dim", outputDim, ">= 1");
        }

        @Override
        public int outputDim(int inputDim) {
            return outputDim;
        }

        @Override
        public int rowWidth(int inputDim) {
            return inputDim + outputDim;
        }

        @Override
        public String kind() {
            return "transcoder";
        }

        @Override
        public void check(ModelSpec model) {
            requireSaeLensLayout(model, "a transcoder");
        }
    }

    /**
     * A crosscoder (Lindsey et al. 2024): one dictionary shared by {@code layers} activations of the
     * same width {@code inputDim / layers}, read side by side as one row {@code [x_1 | ... | x_L]}.
     * Each layer has its own encoder block, summed into one latent, and its own decoder block: with
     * this layout that is one linear encoder and one dictionary over the concatenated row.
     * {@code normalization} weighs each latent by its decoder norms (the L1 penalty of the crosscoder
     * paper, and the selection of the BatchTopK crosscoder). With {@code normalizesActivations} the
     * model holds dictionary_learning's activation normaliser ({@link ActivationNormalizer}): it
     * normalises each layer before encoding and undoes that after decoding (imported crosscoders only:
     * such a model computes but does not train).
     */
    record Crosscoder(int layers, CodeNormalization normalization, boolean normalizesActivations) implements CoderSpec {
        public Crosscoder {
            InvalidSettingException.require(layers >= 1, "crosscoder", "layers", layers, ">= 1");
            Objects.requireNonNull(normalization, "normalization");
        }

        /** A crosscoder without an activation normaliser. */
        public Crosscoder(int layers, CodeNormalization normalization) {
            this(layers, normalization, false);
        }

        /** {@code layers} layers weighed by the sum of their decoder norms (dictionary_learning's default). */
        public static Crosscoder of(int layers) {
            return new Crosscoder(layers, CodeNormalization.CROSSCODER);
        }

        @Override
        public int outputDim(int inputDim) {
            return inputDim;
        }

        @Override
        public String kind() {
            return "crosscoder";
        }

        /** The width of one layer's activations. */
        public int layerDim(int inputDim) {
            return inputDim / layers;
        }

        @Override
        public void check(ModelSpec model) {
            requireSaeLensLayout(model, "a crosscoder");
            int d = model.sae().inputDim();
            if (d % layers != 0) {
                throw new IllegalArgumentException("a crosscoder over " + layers + " layers reads rows of " + layers
                        + " equal blocks, but the input width " + d + " is not a multiple of " + layers
                        + "; set the input width to layers x the width of one layer");
            }
            if (normalizesActivations
                    && !(model.variant() instanceof VanillaSpec
                            || model.variant() instanceof TopKSpec
                            || model.variant() instanceof BatchTopKSpec
                            || model.variant() instanceof JumpReluSpec)) {
                throw new IllegalArgumentException("an activation normaliser is held by vanilla, topk, batchtopk and "
                        + "jumprelu crosscoders; got " + model.variant().name());
            }
        }
    }

    private static void requireSaeLensLayout(ModelSpec model, String what) {
        if (!(model.encoder() instanceof ModelSpec.EncoderSpec.SaeLens s) || s.subtractDecoderBias()) {
            throw new IllegalArgumentException(what + " uses the SAELens layout without decoder-bias subtraction "
                    + "(encoder x W_enc + b_enc, decoder z W_dec + b_dec); got encoder layout " + model.encoder());
        }
        if (!model.variant().usesEncoder()) {
            throw new IllegalArgumentException(
                    what + " needs an encoder; " + model.variant().name() + " encodes with its dictionary alone");
        }
    }
}
