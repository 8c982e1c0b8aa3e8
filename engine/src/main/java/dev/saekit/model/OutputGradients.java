package dev.saekit.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of a loss with respect to a forward pass's outputs: the reconstruction
 * {@code [batch, input]} always, the codes and pre-codes {@code [batch, concepts]} when the loss
 * uses them directly (a sparsity penalty, a regulariser), else null.
 */
public record OutputGradients(INDArray reconstruction, INDArray codes, INDArray preCodes) {

    public OutputGradients {
        if (reconstruction == null) {
            throw new IllegalArgumentException("the reconstruction gradient is required");
        }
    }
}
