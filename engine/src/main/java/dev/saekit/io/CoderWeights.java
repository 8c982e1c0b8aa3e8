package dev.saekit.io;

import dev.saekit.model.SparseAutoencoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A transcoder's or crosscoder's weights as the libraries store them, in saekit's layout:
 * {@code wEnc [in, F]}, {@code bEnc [F]}, {@code wDec [F, out]}, {@code bDec [out]} and a skip
 * transcoder's {@code skip [out, in]} (null otherwise). These models use the SAELens layout without
 * decoder-bias subtraction, as sparsify, SAELens and dictionary_learning do, so the weights go out
 * as they are.
 *
 * <p>saekit does not fold a data mean or scale into them: what a transcoder's rows (input and
 * target) or a crosscoder's layers were centred and scaled by is not one affine map of the input
 * that the encoder alone could take. Such a model is refused with advice.
 */
record CoderWeights(INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec, INDArray skip) {

    /** The weights of {@code model}; an {@link IllegalArgumentException} if its data were centred or scaled. */
    static CoderWeights of(SparseAutoencoder model, INDArray inputMean, double inputScale) {
        if (InputShift.transforms(inputMean, inputScale)) {
            throw new IllegalArgumentException("this " + model.coder().kind() + " was trained on centred or scaled "
                    + "data, which saekit does not fold into a " + model.coder().kind() + "'s exported weights; "
                    + "train it with --no-center (and without --scale) to export it");
        }
        return new CoderWeights(
                value(model, "W_enc"),
                value(model, "b_enc"),
                value(model, "W_dec"),
                value(model, "b_dec"),
                model.skip() == null ? null : model.skip().value());
    }

    /** The weights without the skip path, as {@link RawInputWeights} (which every format's writer takes). */
    RawInputWeights asRaw() {
        return new RawInputWeights(wEnc, bEnc, wDec, bDec);
    }

    private static INDArray value(SparseAutoencoder model, String name) {
        return model.parameter(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "a " + model.coder().kind() + " without '" + name + "': not the SAELens layout"))
                .value();
    }
}
