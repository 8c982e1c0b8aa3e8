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
 * Folds the mean row {@code mu} that was subtracted from every training input (saekit centres the
 * data; the model sees {@code x - mu}) into a model's exported weights, so that the exported model,
 * given RAW inputs {@code x}, computes the codes saekit computes on {@code x - mu}: the first bias
 * the input meets absorbs {@code -W mu}.
 *
 * <ul>
 *   <li>a linear or MLP encoder ({@code x W1^T + b1}): {@code b1 - W1 mu};</li>
 *   <li>a tied encoder with a bias ({@code x D^T + b}): {@code b - D mu};</li>
 *   <li>a pre-biased encoder (the SAELens layout, the MSAE Matryoshka: {@code (x - b) W + c} with
 *       {@code x_hat = z D + b}): {@code b + mu}, which also moves the reconstruction back to raw inputs
 *       (and, for an encoder that does not subtract {@code b}, {@code c - mu W}).</li>
 * </ul>
 * Encoders that see the raw input through no bias (matching pursuit's identity, a tied encoder
 * without bias) cannot absorb it: that is an error naming what to do instead.
 */
final class InputShift {
    private InputShift() {
    }

    /** The parameters of {@code model} that change, by state-dict name, with their folded values (new arrays). */
    static Map<String, INDArray> fold(SparseAutoencoder model, INDArray mu) {
        Map<String, INDArray> changed = new LinkedHashMap<>();
        INDArray m = Tensors.copy(mu, model.dtype()).reshape(1, model.inputDim());
        Encoder e = model.encoder();
        if (e instanceof BiasedLinearEncoder b) {
            changed.put(b.preBias().name(), b.preBias().value().add(m.reshape(model.inputDim())));
            if (!b.subtractsPreBias()) {
                changed.put(b.latentBias().name(), b.latentBias().value().sub(m.mmul(b.weight().value()).reshape(model.nbConcepts())));
            }
        } else if (e instanceof MlpEncoder mlp && firstBias(mlp) != null) {
            Parameter w = mlp.parameters().get(0);
            Parameter bias = firstBias(mlp);
            changed.put(bias.name(), bias.value().sub(m.mmul(w.value().transpose()).reshape(bias.value().shape())));
        } else if (e instanceof TiedEncoder t && t.hasBias()) {
            Parameter bias = t.parameters().stream().filter(p -> p.name().equals(TiedEncoder.BIAS)).findFirst().orElseThrow();
            boolean wasTraining = model.isTraining();
            model.eval();
            INDArray d = model.getDictionary();
            changed.put(bias.name(), bias.value().sub(m.mmul(d.transpose()).reshape(model.nbConcepts())));
            if (wasTraining) {
                model.train();
            }
        } else {
            throw new IllegalArgumentException("this " + model.variant() + " model encodes its input through no bias ("
                    + (e instanceof TiedEncoder ? "a tied encoder without bias" : e instanceof MlpEncoder
                    ? "a linear encoder without bias" : "the input itself")
                    + "), so the mean it was trained around cannot be folded into its weights: train it with --no-center "
                    + "to export it, or subtract the mean (data_mean) from the inputs yourself");
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

    /** Whether {@code mu} shifts anything: not null and not all zero. */
    static boolean shifts(INDArray mu) {
        return mu != null && mu.amaxNumber().doubleValue() != 0;
    }
}
