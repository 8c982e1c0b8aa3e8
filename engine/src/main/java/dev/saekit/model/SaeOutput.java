package dev.saekit.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One forward pass: pre-codes and codes {@code [batch, concepts]} and the reconstruction
 * {@code [batch, input]}; nested models (Matryoshka) add one reconstruction per nesting level, the
 * last of which is {@code reconstruction}. The arrays of {@link SparseAutoencoder#forward} belong to
 * the model and are overwritten by its next forward; {@link #detach()} keeps them.
 */
public record SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction, List<INDArray> nested) {

    public SaeOutput {
        nested = List.copyOf(nested);
    }

    /** An output without nested reconstructions. */
    public SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction) {
        this(preCodes, codes, reconstruction, List.of());
    }

    public SaeOutput detach() {
        return new SaeOutput(preCodes.dup('c'), codes.dup('c'), reconstruction.dup('c'),
                nested.stream().map(a -> a.dup('c')).toList());
    }
}
