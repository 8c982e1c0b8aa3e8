package dev.saekit.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One forward pass: pre-codes and codes {@code [batch, concepts]} and the reconstruction
 * {@code [batch, input]}. The arrays of {@link SparseAutoencoder#forward} belong to the model
 * and are overwritten by its next forward; {@link #detach()} keeps them.
 */
public record SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction) {

    public SaeOutput detach() {
        return new SaeOutput(preCodes.dup('c'), codes.dup('c'), reconstruction.dup('c'));
    }
}
