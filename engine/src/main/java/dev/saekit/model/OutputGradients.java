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
 *
 * <p>{@code codeSign} is the weight {@code w} of a term {@code w * sign(z)} that belongs to the codes'
 * gradient besides {@code codes} (an L1 penalty's): kept as a number, so that a model on its sparse
 * path adds it at the non-zero codes only and no {@code [batch, concepts]} array holds it; 0 if none.
 */
public record OutputGradients(
        INDArray reconstruction,
        INDArray codes,
        INDArray preCodes,
        INDArray dictionary,
        INDArray dictionaryUsed,
        List<INDArray> nested,
        List<SparseDecode> sparseDecodes,
        double codeSign) {

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
        if (!Double.isFinite(codeSign)) {
            throw new IllegalArgumentException("the weight of the codes' sign term must be finite, was " + codeSign);
        }
    }

    /**
     * {@code dL/dz} written out for the forward's codes {@code z}: {@link #codes} (zero if null) plus
     * {@code codeSign * sign(z)}, as a new array. For checks and for callers that want the dense
     * gradient; the models add the sign term without it.
     */
    public INDArray denseCodes(INDArray z) {
        INDArray g = codes != null ? codes.dup('c') : z.ulike().assign(0);
        if (codeSign != 0) {
            dev.saekit.kernel.RowKernels.addScaledSign(z, codeSign, g);
        }
        return g;
    }

    /** Gradients with respect to the outputs, without sparse decodes. */
    public OutputGradients(
            INDArray reconstruction,
            INDArray codes,
            INDArray preCodes,
            INDArray dictionary,
            INDArray dictionaryUsed,
            List<INDArray> nested) {
        this(reconstruction, codes, preCodes, dictionary, dictionaryUsed, nested, List.of(), 0.0);
    }

    /** Gradients with respect to the reconstruction, codes and pre-codes only. */
    public OutputGradients(INDArray reconstruction, INDArray codes, INDArray preCodes) {
        this(reconstruction, codes, preCodes, null, null, List.of(), List.of(), 0.0);
    }
}
