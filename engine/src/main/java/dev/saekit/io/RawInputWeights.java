package dev.saekit.io;

import dev.saekit.encoder.BiasedLinearEncoder;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.encoder.MlpEncoder;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear SAE's weights in the layout SAELens, dictionary_learning and sparsify share, for RAW
 * inputs: {@code pre = (x - bDec) wEnc + bEnc}, {@code x_hat = z wDec + bDec}, with {@code wEnc}
 * [inputs, concepts] and {@code wDec} [concepts, inputs] (each format transposes as it stores them).
 *
 * <p>saekit computes {@code pre = ((x - mu) a - s b) W_enc + b_enc} and
 * {@code x_hat = (z W_dec + b) / a + mu} in the inputs' space, with {@code mu} the mean row removed
 * and {@code a} the scale applied before training, {@code b} the decoder bias and {@code s} whether
 * the encoder subtracts it; hence {@code wEnc = a W_enc}, {@code bDec = b / a + mu},
 * {@code bEnc = b_enc + (1 - s) b W_enc} and {@code wDec = W_dec / a}. The codes are saekit's, so
 * a threshold on them carries over unchanged.
 */
record RawInputWeights(INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec) {

    /** The weights of {@code model}, trained on inputs minus {@code inputMean} (null: none) times {@code inputScale}. */
    static RawInputWeights of(SparseAutoencoder model, INDArray inputMean, double inputScale) {
        boolean wasTraining = model.isTraining();
        if (!(model instanceof BatchTopKSae)) {
            model.eval(); // the fused dictionary is the one to export (BatchTopK is read without a forward)
        }
        INDArray wEnc;
        INDArray bEnc;
        INDArray b;
        boolean subtract;
        if (model.encoder() instanceof BiasedLinearEncoder e) {
            wEnc = e.weight().value();
            bEnc = e.latentBias().value();
            b = e.preBias().value();
            subtract = e.subtractsPreBias();
        } else if (model.encoder() instanceof MlpEncoder m && m.kind() == EncoderKind.LINEAR) {
            wEnc = m.parameters().get(0).value().transpose();
            bEnc = m.parameters().size() > 1
                    ? m.parameters().get(1).value()
                    : Tensors.zeros(model.dtype(), model.nbConcepts());
            b = model.decoderBias() != null
                    ? model.decoderBias().value()
                    : Tensors.zeros(model.dtype(), model.inputDim());
            subtract = false;
        } else {
            throw new IllegalArgumentException("this format holds a linear encoder; this model's encoder is "
                    + model.encoder() + " (export models with the linear encoder or the SAELens layout)");
        }
        INDArray bDec = b.div(inputScale);
        if (inputMean != null) {
            bDec.addi(Tensors.copy(inputMean, model.dtype()).reshape(model.inputDim()));
        }
        INDArray wDec = model.getDictionary().div(inputScale);
        if (wasTraining && !(model instanceof BatchTopKSae)) {
            model.train();
        }
        return new RawInputWeights(
                wEnc.mul(inputScale),
                subtract
                        ? bEnc.dup()
                        : bEnc.add(b.reshape(1, model.inputDim()).mmul(wEnc).reshape(model.nbConcepts())),
                wDec,
                bDec);
    }
}
