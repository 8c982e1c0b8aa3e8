package dev.saekit.dictionary;

import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Module;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The decoder of an SAE: a matrix {@code D [nbConcepts, inputDim]}, one atom per row.
 *
 * <p>Like every module it has a training and an evaluation mode. In training, each call of
 * {@link #get()} may first project the raw weights in place (a normalisation, a simplex
 * projection); in evaluation the dictionary is computed once ("fused") and reused, and the
 * cache follows any later change of the weights.
 *
 * <p>Gradients: callers that used the matrix returned by {@link #get()} report {@code dL/dD}
 * through {@link #backward} or {@link #backwardOuter}; the dictionary turns it into gradients
 * of its own parameters and accumulates them.
 */
public interface Dictionary extends Module {

    int nbConcepts();

    int inputDim();

    DType dtype();

    /**
     * The dictionary {@code D [nbConcepts, inputDim]}. The array may be shared with the weights
     * or reused by a later call: it is valid until the next call of {@code get()} or the next
     * optimiser step.
     */
    INDArray get();

    /** Accumulates parameter gradients from {@code dL/dD} for the matrix {@code usedD} that get() returned. */
    void backward(INDArray gradD, INDArray usedD);

    /**
     * Accumulates parameter gradients from {@code dL/dD = a^T @ b}, with {@code a [n, nbConcepts]}
     * and {@code b [n, inputDim]}: the form every decoder and tied encoder produces. Avoids
     * materialising {@code dL/dD} when it can.
     */
    void backwardOuter(INDArray a, INDArray b, INDArray usedD);

    /**
     * Accumulates parameter gradients from {@code dL/dD = z^T b} for codes {@code z} given as their
     * non-zero entries and, when the caller has it, as the dense matrix {@code codes} (else null): by
     * default through {@link #backwardOuter} (materialising the dense codes when not given);
     * dictionaries that can add the sparse product straight into their gradients override it.
     */
    default void backwardSparse(SparseCodes z, INDArray codes, INDArray b, INDArray usedD) {
        INDArray dense = codes != null
                ? codes
                : z.toDense(org.nd4j.linalg.factory.Nd4j.create(b.dataType(), z.rows(), z.concepts()));
        backwardOuter(dense, b, usedD);
    }

    /** Switches between training ({@code true}) and evaluation mode. */
    void train(boolean training);

    boolean isTraining();
}
