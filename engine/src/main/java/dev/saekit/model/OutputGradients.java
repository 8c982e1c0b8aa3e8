package dev.saekit.model;

import dev.saekit.kernel.SparseCodes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of a loss with respect to a forward pass's outputs: the reconstruction
 * {@code [batch, input]} always; the codes and pre-codes {@code [batch, concepts]} when the loss uses
 * them directly (a sparsity penalty, a regulariser), else null; the dictionary matrix the loss was
 * given ({@code dL/dD} for terms that decode with it, with the matrix itself), else null; one
 * gradient per nested reconstruction of a nested model (entries may be null); and the loss's own
 * {@linkplain SparseDecode sparse decodes} (AuxK's), whose gradients the model propagates itself.
 */
public record OutputGradients(
        INDArray reconstruction,
        INDArray codes,
        INDArray preCodes,
        INDArray dictionary,
        INDArray dictionaryUsed,
        List<INDArray> nested,
        List<SparseDecode> sparseDecodes) {

    /**
     * A decode that a loss term made of its own: {@code codes @ usedD} (plus the model's decoder
     * bias, if it has one), for sparse {@code codes} whose values are the forward's pre-codes at their
     * entries (ReLU'd or not), with {@code gradient [batch, input]} = dL/d(that decode). The model
     * adds {@code codes^T gradient} to the dictionary's gradient, the gradient's column sums to the
     * decoder bias and, when {@code intoPreCodes}, {@code gradient . usedD[j]} to the pre-code of each
     * entry — on the entries only, so a term with few codes per row costs no dense product.
     */
    public record SparseDecode(
            SparseCodes codes, INDArray gradient, INDArray usedD, boolean intoPreCodes, boolean withBias) {
        public SparseDecode {
            if (codes == null || gradient == null || usedD == null) {
                throw new IllegalArgumentException(
                        "a sparse decode needs its codes, its gradient and the dictionary it used");
            }
        }

        /** A decode that adds the model's decoder bias, as the model's own decode does. */
        public SparseDecode(SparseCodes codes, INDArray gradient, INDArray usedD, boolean intoPreCodes) {
            this(codes, gradient, usedD, intoPreCodes, true);
        }
    }

    public OutputGradients {
        if (reconstruction == null) {
            throw new IllegalArgumentException("the reconstruction gradient is required");
        }
        if ((dictionary == null) != (dictionaryUsed == null)) {
            throw new IllegalArgumentException("a dictionary gradient needs the dictionary matrix it refers to");
        }
        nested = nested == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(nested));
        sparseDecodes = sparseDecodes == null ? List.of() : List.copyOf(sparseDecodes);
    }

    /** Gradients with respect to the outputs, without sparse decodes. */
    public OutputGradients(
            INDArray reconstruction,
            INDArray codes,
            INDArray preCodes,
            INDArray dictionary,
            INDArray dictionaryUsed,
            List<INDArray> nested) {
        this(reconstruction, codes, preCodes, dictionary, dictionaryUsed, nested, List.of());
    }

    /** Gradients with respect to the reconstruction, codes and pre-codes only. */
    public OutputGradients(INDArray reconstruction, INDArray codes, INDArray preCodes) {
        this(reconstruction, codes, preCodes, null, null, List.of(), List.of());
    }
}
