package dev.saekit.encoder;

import dev.saekit.tensor.Module;
import dev.saekit.kernel.SparseCodes;
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
     * Accumulates parameter gradients of the latest forward from {@code gradCodes} (through the
     * output activation) and {@code gradPreCodes} (straight into the pre-codes). Either may be null.
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

    /** Switches training ({@code true}) or evaluation behaviour (BatchNorm statistics). */
    void train(boolean training);

    boolean isTraining();
}
