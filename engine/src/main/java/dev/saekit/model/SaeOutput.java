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
 *
 * <p>{@code decoderBias} is the bias {@code b [input]} the forward added to every reconstruction
 * ({@code x_hat = z D + b}: SAELens-layout models, the MSAE Matryoshka's {@code b_pre}), or null for
 * models without one; a loss term that decodes codes of its own (AuxK) adds it as the model does.
 */
public record SaeOutput(
        INDArray preCodes,
        INDArray codes,
        INDArray reconstruction,
        List<INDArray> nested,
        SparseCodes sparseCodes,
        INDArray decoderBias) {

    public SaeOutput {
        nested = List.copyOf(nested);
    }

    /** An output with nested reconstructions, no sparse codes and no decoder bias. */
    public SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction, List<INDArray> nested) {
        this(preCodes, codes, reconstruction, nested, null, null);
    }

    /** An output without nested reconstructions, sparse codes or decoder bias. */
    public SaeOutput(INDArray preCodes, INDArray codes, INDArray reconstruction) {
        this(preCodes, codes, reconstruction, List.of(), null, null);
    }

    /** Copies of the arrays that no later forward overwrites (without the sparse codes). */
    public SaeOutput detach() {
        return new SaeOutput(
                preCodes.dup('c'),
                codes.dup('c'),
                reconstruction.dup('c'),
                nested.stream().map(a -> a.dup('c')).toList(),
                null,
                decoderBias == null ? null : decoderBias.dup('c'));
    }
}
