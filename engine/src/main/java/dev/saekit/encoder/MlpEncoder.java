package dev.saekit.encoder;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * overcomplete's MLP encoder: {@code blocks - 1} hidden blocks Linear(in, hidden), Norm, ReLU,
 * then the output block Linear(hidden, concepts), Norm, and ReLU as output activation. The
 * pre-codes are taken after the output block's Norm. With one block and no norm it is the
 * default linear encoder {@code z = relu(x W^T + b)}.
 *
 * <p>State-dict names: {@code encoder.mlp_blocks.i.0.*} (Linear), {@code encoder.mlp_blocks.i.1.*}
 * (Norm) for hidden block i, {@code encoder.final_block.0.*} and {@code encoder.final_block.1.*}.
 */
public final class MlpEncoder implements Encoder {
    private final EncoderKind kind;
    private final int inputDim;
    private final int nbConcepts;
    private final List<LinearLayer> linears = new ArrayList<>();
    private final List<NormLayer> norms = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final Buffers buffers;
    private boolean training = true;

    /** Per block of the latest forward: its input, and its activated output (hidden blocks). */
    private final List<INDArray> blockInputs = new ArrayList<>();

    private INDArray preCodes;

    MlpEncoder(EncoderKind kind, int inputDim, int nbConcepts, DType dtype, SeededRandom rng) {
        if (kind.blocks() < 1) {
            throw new IllegalArgumentException("an MLP encoder needs at least one block, " + kind + " has none");
        }
        this.kind = kind;
        this.inputDim = inputDim;
        this.nbConcepts = nbConcepts;
        this.buffers = new Buffers(dtype);
        int hidden = inputDim;
        for (int i = 0; i < kind.blocks(); i++) {
            boolean last = i == kind.blocks() - 1;
            String prefix = last ? "encoder.final_block" : "encoder.mlp_blocks." + i;
            int out = last ? nbConcepts : hidden;
            LinearLayer linear = new LinearLayer(prefix + ".0", i == 0 ? inputDim : hidden, out, dtype, rng);
            linears.add(linear);
            parameters.addAll(linear.parameters());
            NormLayer norm = switch (kind.norm()) {
                case NONE -> null;
                case LAYER -> new LayerNormLayer(prefix + ".1", out, dtype);
                case BATCH -> new BatchNormLayer(prefix + ".1", out, dtype);
            };
            norms.add(norm);
            if (norm != null) {
                parameters.addAll(norm.parameters());
            }
        }
    }

    /**
     * A linear encoder {@code relu(x W^T (+ b))} holding copies of {@code weight [concepts, input]} and
     * {@code bias}, with the parameter names {@code encoder.weight} and {@code encoder.bias}.
     */
    MlpEncoder(INDArray weight, INDArray bias) {
        this.kind = EncoderKind.LINEAR;
        this.inputDim = (int) weight.columns();
        this.nbConcepts = (int) weight.rows();
        this.buffers = new Buffers(DType.of(weight.dataType()));
        // named as the reference's untied TieableEncoder: encoder.weight, encoder.bias
        LinearLayer linear = new LinearLayer("encoder", weight.dup('c'), bias == null ? null : bias.dup('c'));
        linears.add(linear);
        norms.add(null);
        parameters.addAll(linear.parameters());
    }

    public EncoderKind kind() {
        return kind;
    }

    @Override
    public int inputDim() {
        return inputDim;
    }

    @Override
    public int nbConcepts() {
        return nbConcepts;
    }

    @Override
    public List<Parameter> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    @Override
    public Codes forward(INDArray x) {
        forwardToPreCodes(x);
        return new Codes(preCodes, Ops.relu(preCodes, buffers.get("codes", preCodes.rows(), nbConcepts)));
    }

    @Override
    public boolean codesAreReluOfPreCodes() {
        return true;
    }

    @Override
    public INDArray forwardToPreCodes(INDArray x) {
        Tensors.requireMatrix("encoder input", x, inputDim);
        blockInputs.clear();
        INDArray h = x;
        int last = linears.size() - 1;
        for (int i = 0; i <= last; i++) {
            blockInputs.add(h);
            INDArray y = linears.get(i).forward(h);
            if (norms.get(i) != null) {
                y = norms.get(i).forward(y, training);
            }
            if (i < last) {
                h = Ops.relu(y, buffers.get("hidden" + i, y.rows(), y.columns()));
            } else {
                preCodes = y;
            }
        }
        return preCodes;
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
                gradCodes != null ? gradCodes : buffers.get("gpre", rows, nbConcepts));
        if (g == null) {
            return;
        }
        for (int i = linears.size() - 1; i >= 0; i--) {
            if (norms.get(i) != null) {
                g = norms.get(i).backward(g);
            }
            INDArray gIn = linears.get(i).backward(blockInputs.get(i), g, i > 0);
            if (i > 0) {
                // through the ReLU of hidden block i-1, whose output is block i's input
                INDArray hidden = blockInputs.get(i);
                g = Ops.reluBackward(hidden, gIn, gIn);
            }
        }
    }

    @Override
    public boolean backwardSparse(SparseCodes pattern, double[] gradPreCodes) {
        if (preCodes == null) {
            throw new IllegalStateException("backward before any forward pass");
        }
        if (linears.size() != 1 || norms.get(0) != null) {
            return false;
        }
        linears.get(0).backwardSparse(blockInputs.get(0), pattern, gradPreCodes);
        return true;
    }

    @Override
    public boolean usesBatchStatistics() {
        return kind.norm() == EncoderKind.NormKind.BATCH;
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
        return "MlpEncoder[" + kind + ", " + inputDim + " -> " + nbConcepts + "]";
    }
}
