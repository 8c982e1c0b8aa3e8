package dev.saekit.encoder;

import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.Module;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Maps inputs {@code [batch, inputDim]} to pre-codes and codes {@code [batch, nbConcepts]}.
 *
 * <p>{@link #forward} keeps what its backward pass needs (including a reference to {@code x}, which
 * must not change until then) and writes into arrays the encoder owns and reuses: they are valid
 * until the next forward. {@link #backward} accumulates parameter gradients for the latest forward.
 */
public interface Encoder extends Module {

    int inputDim();

    int nbConcepts();

    Codes forward(INDArray x);

    /**
     * For an encoder whose codes are {@code relu(pre-codes)}: the forward pass up to the pre-codes,
     * which it returns (valid until the next forward), leaving the ReLU to a caller that selects
     * codes from the pre-codes directly (TopK, BatchTopK); {@link #backward} works after it as after
     * {@link #forward}. Null, with nothing done, for an encoder whose codes are something else.
     */
    default INDArray forwardToPreCodes(INDArray x) {
        return null;
    }

    /**
     * Whether {@link #forward}'s codes are {@code relu(pre-codes)}, so that a variant which needs that
     * ReLU (JumpReLU) reads it from them instead of computing a copy. False unless an encoder says so.
     */
    default boolean codesAreReluOfPreCodes() {
        return false;
    }

    /**
     * Accumulates parameter gradients of the latest forward from {@code gradCodes} (through the
     * output activation) and {@code gradPreCodes} (straight into the pre-codes). Either may be null.
     * {@code gradCodes} is the caller's scratch: the encoder may overwrite it (the pre-activation
     * gradient is computed in place, saving a {@code [batch, concepts]} buffer).
     */
    void backward(INDArray gradCodes, INDArray gradPreCodes);

    /**
     * Accumulates parameter gradients from a pre-code gradient that is non-zero only at the
     * non-zero codes {@code pattern}, with {@code gradPreCodes[e]} at entry {@code e}, if this
     * encoder can (a single linear layer); false, with nothing done, otherwise.
     */
    default boolean backwardSparse(SparseCodes pattern, double[] gradPreCodes) {
        return false;
    }

    /**
     * As {@link #backwardSparse(SparseCodes, double[])} for several sparse pre-code gradients at once
     * ({@code gradPreCodes.get(i)} at the entries of {@code patterns.get(i)}): a model's codes and a
     * loss's own sparse decodes (AuxK's), which an encoder may sum before one pass over its weight
     * gradient. False, with nothing done, if it takes none of them.
     */
    default boolean backwardSparse(List<SparseCodes> patterns, List<double[]> gradPreCodes) {
        for (int i = 0; i < patterns.size(); i++) {
            if (!backwardSparse(patterns.get(i), gradPreCodes.get(i))) {
                if (i == 0) {
                    return false;
                }
                throw new IllegalStateException(this + " took one sparse pre-code gradient and refused another");
            }
        }
        return true;
    }

    /** Switches training ({@code true}) or evaluation behaviour (BatchNorm statistics). */
    void train(boolean training);

    /**
     * Whether a training forward depends on the whole batch at once (BatchNorm's mean and variance),
     * not on each row alone: such an encoder cannot be trained data-parallel, where each worker sees
     * only its part of the batch.
     */
    default boolean usesBatchStatistics() {
        return false;
    }

    boolean isTraining();
}
