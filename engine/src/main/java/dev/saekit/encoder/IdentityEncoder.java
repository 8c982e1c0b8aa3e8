package dev.saekit.encoder;

import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Pre-codes and codes are the input itself; no parameters (matching pursuit's encoder). */
public final class IdentityEncoder implements Encoder {
    private final int inputDim;
    private boolean training = true;

    IdentityEncoder(int inputDim) {
        this.inputDim = inputDim;
    }

    @Override
    public int inputDim() {
        return inputDim;
    }

    @Override
    public int nbConcepts() {
        return inputDim;
    }

    @Override
    public Codes forward(INDArray x) {
        Tensors.requireMatrix("encoder input", x, inputDim);
        return new Codes(x, x);
    }

    @Override
    public void backward(INDArray gradCodes, INDArray gradPreCodes) {
        // no parameters: nothing to accumulate
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }

    @Override
    public boolean isTraining() {
        return training;
    }
}
