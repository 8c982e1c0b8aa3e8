package dev.saekit.encoder;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.kernel.Ops;
import dev.saekit.kernel.RowKernels;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An encoder that shares the dictionary: {@code z = relu(x D^T (+ b))}, where {@code D} includes
 * the dictionary's multiplier. Each forward fetches the dictionary once (in training, one more
 * in-place projection). Gradients of {@code D} go back to the dictionary's own parameters. The
 * optional bias {@code encoder.bias} starts at zero.
 */
public final class TiedEncoder implements Encoder {
    public static final String BIAS = "encoder.bias";

    private final Dictionary dictionary;
    private final Parameter bias;
    private final Buffers buffers;
    private boolean training = true;
    private INDArray x;
    private INDArray usedD;
    private INDArray preCodes;

    public TiedEncoder(Dictionary dictionary, boolean withBias) {
        this.dictionary = dictionary;
        this.bias =
                withBias ? Parameter.trainable(BIAS, Tensors.zeros(dictionary.dtype(), dictionary.nbConcepts())) : null;
        this.buffers = new Buffers(dictionary.dtype());
    }

    public boolean hasBias() {
        return bias != null;
    }

    @Override
    public int inputDim() {
        return dictionary.inputDim();
    }

    @Override
    public int nbConcepts() {
        return dictionary.nbConcepts();
    }

    @Override
    public Codes forward(INDArray x) {
        Tensors.requireMatrix("encoder input", x, inputDim());
        this.x = x;
        // a copy: the decoder's and the loss's fetches reuse the dictionary's arrays before backward
        usedD = buffers.get("dictionary", dictionary.nbConcepts(), dictionary.inputDim())
                .assign(dictionary.get());
        preCodes = buffers.get("pre", x.rows(), nbConcepts());
        Nd4j.gemm(x, usedD, preCodes, false, true, 1.0, 0.0);
        if (bias != null) {
            preCodes.addiRowVector(bias.value());
        }
        INDArray codes = Ops.relu(preCodes, buffers.get("codes", x.rows(), nbConcepts()));
        return new Codes(preCodes, codes);
    }

    @Override
    public void backward(INDArray gradCodes, INDArray gradPreCodes) {
        if (preCodes == null) {
            throw new IllegalStateException("backward before any forward pass");
        }
        long rows = preCodes.rows();
        // in place in gradCodes, the caller's scratch
        INDArray g = Ops.preActivationGradient(
                preCodes,
                gradCodes,
                gradPreCodes,
                gradCodes != null ? gradCodes : buffers.get("gpre", rows, nbConcepts()));
        if (g == null) {
            return;
        }
        if (bias != null) {
            RowKernels.addColumnSums(g, bias.grad());
        }
        dictionary.backwardOuter(g, x, usedD);
    }

    @Override
    public List<Parameter> parameters() {
        return bias == null ? List.of() : List.of(bias);
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
    public String toString() {
        return "TiedEncoder[" + inputDim() + " -> " + nbConcepts() + (bias != null ? ", bias" : "") + "]";
    }
}
