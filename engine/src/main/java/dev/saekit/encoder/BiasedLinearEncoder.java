package dev.saekit.encoder;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The encoder of the MSAE paper's autoencoder: {@code z_pre = (x - b_pre) E + b_lat},
 * {@code z = relu(z_pre)}, with {@code E [input, concepts]} (input-major, unlike torch's Linear),
 * pre-bias {@code b_pre [input]} and latent bias {@code b_lat [concepts]}. The pre-bias is shared with
 * the decoder, which adds it back; {@link #preBias()} exposes it.
 *
 * <p>Parameter names follow one of two {@link Names layouts}: the MSAE paper's ({@code pre_bias},
 * {@code encoder}, {@code latent_bias}) or SAELens' ({@code b_dec}, {@code W_enc}, {@code b_enc}). SAELens
 * can also leave the pre-bias out of the encoder ({@code apply_b_dec_to_input = false}) while the
 * decoder still adds it.
 */
public final class BiasedLinearEncoder implements Encoder {
    private final Parameter preBias;
    private final Parameter weight;
    private final Parameter latentBias;
    private final Buffers buffers;
    private final boolean subtractPreBias;
    private boolean training = true;
    private INDArray centred;
    private INDArray preCodes;

    /** The parameter names of a layout: pre-bias, weight, latent bias. */
    public enum Names {
        MSAE("pre_bias", "encoder", "latent_bias"),
        SAELENS("b_dec", "W_enc", "b_enc");

        final String preBias;
        final String weight;
        final String latentBias;

        Names(String preBias, String weight, String latentBias) {
            this.preBias = preBias;
            this.weight = weight;
            this.latentBias = latentBias;
        }
    }

    /** Holds copies of {@code weight [input, concepts]}, {@code preBias [input]} and {@code latentBias [concepts]}. */
    public BiasedLinearEncoder(INDArray weight, INDArray preBias, INDArray latentBias, DType dtype) {
        this(weight, preBias, latentBias, dtype, Names.MSAE, true);
    }

    /**
     * @param names           the parameter names
     * @param subtractPreBias whether the encoder sees {@code x - b_pre} (else {@code x}; the decoder adds it either way)
     */
    public BiasedLinearEncoder(
            INDArray weight, INDArray preBias, INDArray latentBias, DType dtype, Names names, boolean subtractPreBias) {
        this.weight = Parameter.trainable(names.weight, Tensors.copy(weight, dtype));
        Tensors.requireShape(names.latentBias, latentBias, weight.columns());
        if (preBias == null) {
            if (subtractPreBias) {
                throw new IllegalArgumentException("an encoder that subtracts its pre-bias needs one");
            }
            this.preBias = null;
        } else {
            Tensors.requireShape(names.preBias, preBias, weight.rows());
            this.preBias = Parameter.trainable(names.preBias, Tensors.copy(preBias, dtype));
        }
        this.latentBias = Parameter.trainable(names.latentBias, Tensors.copy(latentBias, dtype));
        this.buffers = new Buffers(dtype);
        this.subtractPreBias = subtractPreBias;
    }

    /**
     * An encoder {@code z_pre = x W + b_lat} with no pre-bias at all (its decoder's bias is a
     * separate parameter): the encoder of transcoders and crosscoders, whose input and output
     * differ. Names {@code W_enc} and {@code b_enc}.
     */
    public static BiasedLinearEncoder withoutPreBias(INDArray weight, INDArray latentBias, DType dtype) {
        return new BiasedLinearEncoder(weight, null, latentBias, dtype, Names.SAELENS, false);
    }

    /** Whether the encoder subtracts the pre-bias from its input. */
    public boolean subtractsPreBias() {
        return subtractPreBias;
    }

    /** The pre-bias, or null for an encoder {@linkplain #withoutPreBias without one}. */
    public Parameter preBias() {
        return preBias;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter latentBias() {
        return latentBias;
    }

    @Override
    public int inputDim() {
        return (int) weight.value().rows();
    }

    @Override
    public int nbConcepts() {
        return (int) weight.value().columns();
    }

    @Override
    public Codes forward(INDArray x) {
        INDArray pre = forwardToPreCodes(x);
        return new Codes(pre, Ops.relu(pre, buffers.get("codes", x.rows(), nbConcepts())));
    }

    @Override
    public boolean codesAreReluOfPreCodes() {
        return true;
    }

    @Override
    public INDArray forwardToPreCodes(INDArray x) {
        Tensors.requireMatrix("encoder input", x, inputDim());
        long rows = x.rows();
        boolean contiguous = x.ordering() == 'c' && !x.isView() && x.offset() == 0;
        if (subtractPreBias || !contiguous) {
            centred = buffers.get("centred", rows, inputDim()).assign(x);
            if (subtractPreBias) {
                centred.subiRowVector(preBias.value());
            }
        } else {
            centred = x; // kept by reference until the backward pass, as the Encoder contract says
        }
        preCodes = buffers.get("pre", rows, nbConcepts());
        Nd4j.gemm(centred, weight.value(), preCodes, false, false, 1.0, 0.0);
        preCodes.addiRowVector(latentBias.value());
        return preCodes;
    }

    /**
     * The weight gradient {@code centred^T G} and the biases' from a pre-code gradient {@code G}
     * that is non-zero at {@code pattern} only: {@code nnz * input} work for the products, and one
     * pass over the weight to add the result (stored input-major, it is the transpose of the
     * sparse product).
     */
    @Override
    public boolean backwardSparse(SparseCodes pattern, double[] gradPreCodes) {
        return backwardSparse(List.of(pattern), List.of(gradPreCodes));
    }

    /**
     * The sum of several such gradients (a model's codes and AuxK's): their products are summed by
     * concept first, so the weight is passed over once whatever their number.
     */
    @Override
    public boolean backwardSparse(List<SparseCodes> patterns, List<double[]> gradPreCodes) {
        if (preCodes == null) {
            throw new IllegalStateException("backward before any forward pass");
        }
        INDArray byConcept = buffers.get("gweight-by-concept", nbConcepts(), inputDim());
        INDArray sums = buffers.get("gbias", nbConcepts()).assign(0);
        for (int i = 0; i < patterns.size(); i++) {
            if (i == 0) {
                patterns.get(i).setTransposedProduct(gradPreCodes.get(i), centred, byConcept);
            } else {
                patterns.get(i).addTransposedProduct(gradPreCodes.get(i), centred, byConcept);
            }
            patterns.get(i).addConceptSums(gradPreCodes.get(i), sums);
        }
        if (!dev.saekit.kernel.RowKernels.addTransposed(byConcept, weight.grad())) {
            weight.grad().addi(byConcept.transpose());
        }
        latentBias.grad().addi(sums);
        if (subtractPreBias) {
            preBias.grad()
                    .subi(weight.value().mmul(sums.reshape(nbConcepts(), 1)).reshape(inputDim()));
        }
        return true;
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
        Nd4j.gemm(centred, g, weight.grad(), true, false, 1.0, 1.0);
        INDArray colSum = g.sum(0);
        latentBias.grad().addi(colSum);
        if (subtractPreBias) {
            // d/d b_pre of (x - b_pre) E: -E colSum
            preBias.grad()
                    .subi(weight.value().mmul(colSum.reshape(nbConcepts(), 1)).reshape(inputDim()));
        }
    }

    @Override
    public List<Parameter> parameters() {
        return preBias == null ? List.of(weight, latentBias) : List.of(preBias, weight, latentBias);
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
