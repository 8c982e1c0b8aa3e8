package dev.saekit.dictionary;

import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dictionary that is its weights: no projection, no multiplier. Models that keep their decoder
 * norms in check themselves (the MSAE Matryoshka rescales rows after each backward pass) use it.
 * {@link #get()} returns the weight array itself.
 */
public final class PlainDictionary implements Dictionary {
    private final Parameter weights;
    private boolean training = true;

    /** A dictionary holding {@code weights [concepts, input]} (copied) under the state-dict name {@code name}. */
    public PlainDictionary(String name, INDArray weights, DType dtype) {
        if (weights.rank() != 2) {
            throw new IllegalArgumentException(
                    "dictionary weights must be a matrix [concepts, input], was rank " + weights.rank());
        }
        this.weights = Parameter.trainable(name, Tensors.copy(weights, dtype));
    }

    public Parameter weights() {
        return weights;
    }

    @Override
    public int nbConcepts() {
        return (int) weights.value().rows();
    }

    @Override
    public int inputDim() {
        return (int) weights.value().columns();
    }

    @Override
    public DType dtype() {
        return weights.dtype();
    }

    @Override
    public INDArray get() {
        return weights.value();
    }

    @Override
    public void backward(INDArray gradD, INDArray usedD) {
        weights.grad().addi(gradD);
    }

    @Override
    public void backwardOuter(INDArray a, INDArray b, INDArray usedD) {
        Nd4j.gemm(a, b, weights.grad(), true, false, 1.0, 1.0);
    }

    /**
     * {@code dL/dW += z^T b} on the non-zero codes only ({@code nnz * width} multiply-adds), as the
     * projected dictionary does: the TopK and BatchTopK models of the SAELens layout, transcoders and
     * crosscoders keep their sparse backward pass.
     */
    @Override
    public void backwardSparse(SparseCodes z, INDArray codes, INDArray b, INDArray usedD) {
        if (weights.gradIsZero()) { // the step's first contribution: written, not added to zeros
            weights.recordGradRowSquares(z.setTransposedProductRowSquares(z.values(), b, weights.gradToOverwrite()));
        } else {
            double[] squares = weights.recordedGradRowSquares();
            if (squares != null) { // a later contribution keeps the record of the squares up to date
                z.addTransposedProductRowSquares(z.values(), b, weights.gradToAddKeepingRecord(), squares);
            } else {
                z.addTransposedProduct(z.values(), b, weights.grad());
            }
        }
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }

    @Override
    public boolean isTraining() {
        return training;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weights);
    }
}
