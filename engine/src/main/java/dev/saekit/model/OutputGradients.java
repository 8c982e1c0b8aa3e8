package dev.saekit.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of a loss with respect to a forward pass's outputs: the reconstruction
 * {@code [batch, input]} always; the codes and pre-codes {@code [batch, concepts]} when the loss uses
 * them directly (a sparsity penalty, a regulariser), else null; the dictionary matrix the loss was
 * given ({@code dL/dD} for terms that decode with it, with the matrix itself), else null; and one
 * gradient per nested reconstruction of a nested model (entries may be null).
 */
public record OutputGradients(INDArray reconstruction, INDArray codes, INDArray preCodes, INDArray dictionary,
                              INDArray dictionaryUsed, List<INDArray> nested) {

    public OutputGradients {
        if (reconstruction == null) {
            throw new IllegalArgumentException("the reconstruction gradient is required");
        }
        if ((dictionary == null) != (dictionaryUsed == null)) {
            throw new IllegalArgumentException("a dictionary gradient needs the dictionary matrix it refers to");
        }
        nested = nested == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(nested));
    }

    /** Gradients with respect to the reconstruction, codes and pre-codes only. */
    public OutputGradients(INDArray reconstruction, INDArray codes, INDArray preCodes) {
        this(reconstruction, codes, preCodes, null, null, List.of());
    }
}
