package dev.saekit.model;

import dev.saekit.kernel.SparseCodes;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One forward pass: pre-codes and codes {@code [batch, concepts]} and the reconstruction
 * {@code [batch, input]}; nested models (Matryoshka) add one reconstruction per nesting level, the
 * last of which is {@code reconstruction}. The arrays of {@link SparseAutoencoder#forward} belong to
 * the model and are overwritten by its next forward; {@link #detach()} keeps them.
 *
 * <p>{@code sparseCodes} are the non-zero codes of {@code codes}, when the model has them (variants
 * that keep few codes: TopK, BatchTopK), so that metrics and listeners can count them without a pass
 * over the dense codes; null otherwise, and after {@link #detach()}.
 */
public record SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction, List<INDArray> nested,
                        SparseCodes sparseCodes) {

    public SaeOutput {
        nested = List.copyOf(nested);
    }

    /** An output with nested reconstructions and no sparse codes. */
    public SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction, List<INDArray> nested) {
        this(preCodes, codes, reconstruction, nested, null);
    }

    /** An output without nested reconstructions and sparse codes. */
    public SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction) {
        this(preCodes, codes, reconstruction, List.of(), null);
    }

    /** Copies of the arrays that no later forward overwrites (without the sparse codes). */
    public SaeOutput detach() {
        return new SaeOutput(preCodes.dup('c'), codes.dup('c'), reconstruction.dup('c'),
                nested.stream().map(a -> a.dup('c')).toList(), null);
    }
}
