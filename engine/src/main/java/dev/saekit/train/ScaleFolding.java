package dev.saekit.train;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.PlainDictionary;
import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.encoder.BiasedLinearEncoder;
import dev.saekit.encoder.Encoder;
import dev.saekit.encoder.MlpEncoder;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;

/**
 * Folds an input scale {@code s} into a model trained on {@code s x} ({@link InputNormalization}), in
 * place, so that on RAW rows {@code x} it gives the codes the trained model gives on {@code s x} and
 * the reconstruction {@code x_hat / s} (raw scale):
 *
 * <ul>
 *   <li>a transcoder's or crosscoder's {@code W_enc} takes {@code s W_enc}, its {@code W_dec} and
 *       {@code b_dec} are divided by {@code s} (its input and target were scaled alike); a skip
 *       transcoder's {@code W_skip} stays as it is, and a BatchTopK crosscoder's running threshold,
 *       on codes weighted by decoder norms, is divided by {@code s};</li>
 *   <li>the encoder's first linear layer (linear, MLP, untied) takes {@code s W} (a norm layer after it
 *       sees the same values);</li>
 *   <li>the SAELens-style pre-biased encoder {@code (s x - b) W + c = (x - b / s)(s W) + c}: {@code W_enc}
 *       times {@code s}, the decoder bias {@code b_dec} divided by {@code s};</li>
 *   <li>the decoder is divided by {@code s}: a plain {@code W_dec} directly; a normalised dictionary
 *       {@code D = N(W) exp(m)} (unit rows under {@code l2}) through its multiplier, {@code m - ln s}, so
 *       its rows keep their normalisation and the multiplier carries the scale (a buffer when the
 *       multiplier is not learned; checkpoints save it either way).</li>
 * </ul>
 *
 * Refused, with what to do: a tied encoder (its weights are the decoder's, which cannot be both
 * {@code s D} and {@code D / s}) and the pursuits (matching pursuit reads the raw input itself, and
 * its codes scale with it).
 */
public final class ScaleFolding {
    private ScaleFolding() {}

    /**
     * Folds {@code s} into {@code model}'s weights (see the class comment); {@code s == 1} changes
     * nothing. Returns {@code model}.
     *
     * @throws IllegalArgumentException for a layout that cannot take the scale, before changing anything
     */
    public static SparseAutoencoder fold(SparseAutoencoder model, double s) {
        if (!(s > 0) || !Double.isFinite(s)) {
            throw new IllegalArgumentException("the scale to fold must be finite and > 0, was " + s);
        }
        if (s == 1.0) { // nothing to fold: any model takes it, a pursuit included
            return model;
        }
        check(model);
        Encoder e = model.encoder();
        if (e instanceof BiasedLinearEncoder b) {
            b.weight().assign(b.weight().value().mul(s));
            if (b.preBias() != null && model.decoderBias() != b.preBias()) {
                b.preBias().assign(b.preBias().value().div(s));
            }
        } else {
            Parameter first = ((MlpEncoder) e).parameters().get(0);
            first.assign(first.value().mul(s));
        }
        if (model.decoderBias() != null) {
            model.decoderBias().assign(model.decoderBias().value().div(s));
        }
        Dictionary d = model.dictionary();
        if (d instanceof PlainDictionary p) {
            p.weights().assign(p.weights().value().div(s));
        } else {
            Parameter m = multiplier(d);
            m.assign(m.value().sub(Math.log(s)));
        }
        // a BatchTopK crosscoder's threshold compares codes weighted by decoder norms, which are now 1/s of
        // what they were (a skip transcoder's W_skip maps raw x to raw y already: s x W^T / s)
        if (model instanceof dev.saekit.model.BatchTopKSae btk
                && model.coder() instanceof dev.saekit.model.CoderSpec.Crosscoder c
                && c.normalization() != dev.saekit.model.CodeNormalization.NONE
                && !Double.isNaN(btk.runningThreshold())) {
            btk.setRunningThreshold(btk.runningThreshold() / s);
        }
        return model;
    }

    /**
     * Refuses, naming the model and what to do, a model whose layout cannot take an input scale.
     *
     * @throws IllegalArgumentException for a tied encoder, a pursuit, or a dictionary it does not know
     */
    public static void check(SparseAutoencoder model) {
        String variant = model.spec().variant().name();
        Encoder e = model.encoder();
        if (!(e instanceof BiasedLinearEncoder) && !(e instanceof MlpEncoder)) {
            String what = model.isTied()
                    ? "its tied encoder shares the decoder's weights, which cannot take the scale on both sides"
                    : "its encoder reads the input itself (a pursuit's codes scale with the input)";
            throw new IllegalArgumentException("a " + variant + " model cannot fold an input normalisation into its "
                    + "weights: " + what + "; train it without normalisation (or scale the data itself, --scale)");
        }
        Dictionary d = model.dictionary();
        if (!(d instanceof PlainDictionary)
                && !(d instanceof DictionaryLayer)
                && !(d instanceof RelaxedArchetypalDictionary)) {
            throw new IllegalArgumentException("a " + variant + " model's dictionary " + d
                    + " has no way to take an input scale: train it without normalisation");
        }
    }

    private static Parameter multiplier(Dictionary d) {
        return d.parameters().stream()
                .filter(p -> p.name().equals(DictionaryLayer.MULTIPLIER))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(d + " has no multiplier"));
    }
}
