package dev.saekit.io;

import dev.saekit.encoder.BiasedLinearEncoder;
import dev.saekit.encoder.Encoder;
import dev.saekit.encoder.MlpEncoder;
import dev.saekit.encoder.TiedEncoder;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Folds what saekit did to every training input into a model's exported weights: the mean row
 * {@code mu} subtracted (saekit centres the data) and the factor {@code s} the result was then
 * multiplied by ({@code --scale}), so the model saw {@code (x - mu) s}. The exported model, given RAW
 * inputs {@code x}, then computes the codes saekit computes: the first layer the input meets takes
 * {@code s} into its weight and {@code -s W mu} into its bias.
 *
 * <ul>
 *   <li>a linear or MLP encoder ({@code x W1^T + b1}): {@code s W1} and {@code b1 - s W1 mu};</li>
 *   <li>a tied encoder with a bias ({@code x D^T + b}, unscaled only): {@code b - D mu};</li>
 *   <li>a pre-biased encoder (the SAELens layout, the MSAE Matryoshka: {@code (x - b) W + c} with
 *       {@code x_hat = z D + b}): {@code s W} and {@code b / s + mu}, with the decoder {@code D / s}, which
 *       also moves the reconstruction back to raw inputs (and, for an encoder that does not subtract
 *       {@code b}, {@code c - s mu W}).</li>
 * </ul>
 * Encoders that see the raw input through no bias (matching pursuit's identity, a tied encoder
 * without bias), and a tied encoder with a scale (its weights are the decoder's), cannot absorb it:
 * that is an error naming what to do instead.
 */
final class InputShift {
    private InputShift() {}

    /** The parameters of {@code model} that change, by state-dict name, with their folded values (new arrays). */
    static Map<String, INDArray> fold(SparseAutoencoder model, INDArray mu, double scale) {
        Map<String, INDArray> changed = new LinkedHashMap<>();
        INDArray m = mu == null
                ? Tensors.zeros(model.dtype(), 1, model.inputDim())
                : Tensors.copy(mu, model.dtype()).reshape(1, model.inputDim());
        Encoder e = model.encoder();
        if (e instanceof BiasedLinearEncoder b) {
            INDArray w = b.weight().value();
            changed.put(b.weight().name(), w.mul(scale));
            changed.put(b.preBias().name(), b.preBias().value().div(scale).addi(m.reshape(model.inputDim())));
            if (!b.subtractsPreBias()) {
                changed.put(
                        b.latentBias().name(),
                        b.latentBias().value().sub(m.mmul(w).muli(scale).reshape(model.nbConcepts())));
            }
            if (scale != 1.0) {
                for (Parameter p : model.dictionary().parameters()) {
                    if (p.isTrainable() && p.value().rank() == 2) { // the plain decoder (W_dec, MSAE's decoder)
                        changed.put(p.name(), p.value().div(scale));
                    }
                }
            }
        } else if (e instanceof MlpEncoder mlp && firstBias(mlp) != null) {
            Parameter w = mlp.parameters().get(0);
            Parameter bias = firstBias(mlp);
            changed.put(w.name(), w.value().mul(scale));
            changed.put(
                    bias.name(),
                    bias.value()
                            .sub(m.mmul(w.value().transpose())
                                    .muli(scale)
                                    .reshape(bias.value().shape())));
        } else if (e instanceof TiedEncoder t && t.hasBias() && scale == 1.0) {
            Parameter bias = t.parameters().stream()
                    .filter(p -> p.name().equals(TiedEncoder.BIAS))
                    .findFirst()
                    .orElseThrow();
            boolean wasTraining = model.isTraining();
            model.eval();
            INDArray d = model.getDictionary();
            changed.put(bias.name(), bias.value().sub(m.mmul(d.transpose()).reshape(model.nbConcepts())));
            if (wasTraining) {
                model.train();
            }
        } else {
            String what = e instanceof TiedEncoder t
                    ? (t.hasBias()
                            ? "a tied encoder, whose weights are the decoder's, cannot take "
                                    + "the scale its inputs were multiplied by"
                            : "a tied encoder without bias cannot take the mean it was trained around")
                    : (e instanceof MlpEncoder
                                    ? "a linear encoder without bias"
                                    : "an encoder that reads the input itself")
                            + " cannot take the mean it was trained around";
            throw new IllegalArgumentException(
                    "this " + model.spec().variant().name() + " model's " + what + ": train it with --no-center "
                            + "(and without --scale) to export it, or transform the inputs yourself (data_mean, data_scale)");
        }
        return changed;
    }

    /** The bias of the encoder's first linear layer (the parameter after its weight, of the same layer), or null. */
    private static Parameter firstBias(MlpEncoder mlp) {
        if (mlp.parameters().size() < 2) {
            return null;
        }
        String weight = mlp.parameters().get(0).name();
        Parameter next = mlp.parameters().get(1);
        String layer = weight.substring(0, weight.length() - "weight".length());
        return weight.endsWith("weight") && next.name().equals(layer + "bias") ? next : null;
    }

    /** Whether a mean {@code mu} and a scale change anything. */
    static boolean transforms(INDArray mu, double scale) {
        return (mu != null && mu.amaxNumber().doubleValue() != 0) || scale != 1.0;
    }
}
