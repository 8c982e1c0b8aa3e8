package dev.saekit.encoder;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;

/** Creates the built-in encoders. */
public final class Encoders {
    private Encoders() {}

    /**
     * A new encoder of {@code kind} mapping {@code inputDim} to {@code nbConcepts}, its weights
     * drawn from {@code rng}. {@link EncoderKind#IDENTITY} requires {@code nbConcepts == inputDim}
     * only when its codes are used as concepts; it ignores {@code nbConcepts} otherwise.
     */
    public static Encoder create(EncoderKind kind, int inputDim, int nbConcepts, DType dtype, SeededRandom rng) {
        if (inputDim <= 0) {
            throw new IllegalArgumentException("inputDim must be > 0, was " + inputDim);
        }
        if (nbConcepts <= 0) {
            throw new IllegalArgumentException("nbConcepts must be > 0, was " + nbConcepts);
        }
        if (kind == EncoderKind.IDENTITY) {
            return new IdentityEncoder(inputDim);
        }
        return new MlpEncoder(kind, inputDim, nbConcepts, dtype, rng);
    }

    /**
     * A linear encoder {@code relu(x W^T (+ b))} starting from a copy of {@code weight
     * [concepts, input]}; with {@code bias} its bias starts at zero, without it there is none.
     * This is how a tied encoder is untied: from a copy of the dictionary.
     */
    public static Encoder linearFrom(org.nd4j.linalg.api.ndarray.INDArray weight, boolean bias) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException(
                    "encoder weight must be a matrix [concepts, input], was rank " + weight.rank());
        }
        return new MlpEncoder(weight, bias ? Tensors.zeros(DType.of(weight.dataType()), weight.rows()) : null);
    }
}
