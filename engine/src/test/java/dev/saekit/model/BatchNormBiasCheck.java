package dev.saekit.model;

import dev.saekit.encoder.EncoderKind;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The analytic check that a Linear bias feeding a BatchNorm in training gets a zero gradient.
 *
 * <p>BatchNorm centres its input over the batch, so the gradient it passes to the Linear layer sums
 * to zero over the batch and the bias, which gets that sum, has an exactly zero gradient in exact
 * arithmetic: the bias does not change the loss. Computed, it is zero up to the rounding of the
 * backward pass's own sums, which is at most {@code (2B + 8) u} ({@code u = 2^-53}) times the
 * magnitude of the summed terms that {@link MlpTrace#batchNormBiasTermMagnitudes} recomputes from
 * the gradient entering the encoder: each of the two batch sums on the way (inside the BatchNorm's
 * backward pass, then the bias's own) adds at most {@code (B - 1) u} relative to its terms, and each
 * term a few roundings more. The bound is relative to the gradient flowing into the layer, not a
 * bare constant, so it holds whatever the scale of the loss.
 */
final class BatchNormBiasCheck {
    static final double UNIT_ROUNDOFF = Math.ulp(1.0) / 2;

    private BatchNormBiasCheck() {}

    /** Per bias before a training BatchNorm, per entry: the largest gradient that rounding can explain. */
    static Map<String, double[]> roundingBounds(SparseAutoencoder model, EncoderKind kind, Loss loss, INDArray x) {
        double perTerm = (2.0 * x.rows() + 8) * UNIT_ROUNDOFF;
        Map<String, double[]> bounds = new LinkedHashMap<>();
        new MlpTrace(model, kind, x)
                .batchNormBiasTermMagnitudes(gradientAtPreCodes(model, loss, x))
                .forEach((name, terms) -> bounds.put(
                        name, Arrays.stream(terms).map(t -> perTerm * t).toArray()));
        return bounds;
    }

    /** A message for every entry of {@code gradients} above its bound, or whose bound is zero (a vacuous check). */
    static List<String> notZero(Map<String, double[]> gradients, Map<String, double[]> bounds) {
        List<String> out = new ArrayList<>();
        gradients.forEach((name, g) -> {
            double[] bound = bounds.get(name);
            for (int j = 0; j < g.length; j++) {
                if (!(bound[j] > 0)) {
                    out.add(name + "[" + j + "]: no gradient enters the layer, so its zero proves nothing");
                } else if (Math.abs(g[j]) > bound[j]) {
                    out.add(String.format(
                            Locale.ROOT,
                            "%s[%d] = %.3g is not zero up to rounding, which allows %.3g",
                            name,
                            j,
                            g[j],
                            bound[j]));
                }
            }
        });
        return out;
    }

    /**
     * {@code dL/dz_pre} of a vanilla SAE: through the codes' ReLU from
     * {@code dL/dz = dL/dx_hat D^T + dL/dz}, plus the loss's direct pre-code term.
     */
    private static INDArray gradientAtPreCodes(SparseAutoencoder model, Loss loss, INDArray x) {
        SaeOutput out = model.forward(x);
        INDArray d = model.getDictionary();
        LossGradients g = new LossGradients(model.dtype());
        g.reset(out);
        loss.evaluate(x, out, d, g);
        OutputGradients grads = g.toOutputGradients();
        INDArray gz = grads.reconstruction().mmul(d.transpose()).addi(grads.denseCodes(out.codes()));
        INDArray gPre = gz.muli(out.preCodes().gt(0).castTo(gz.dataType()));
        return grads.preCodes() == null ? gPre : gPre.addi(grads.preCodes());
    }
}
