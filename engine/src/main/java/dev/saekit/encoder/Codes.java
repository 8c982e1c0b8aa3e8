package dev.saekit.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pre-codes (before the sparsifying activation) and codes of a batch, both {@code [batch, concepts]}.
 */
public record Codes(INDArray preCodes, INDArray codes) {

    /** Copies that no later forward pass overwrites. */
    public Codes detach() {
        return new Codes(preCodes.dup('c'), codes.dup('c'));
    }
}
