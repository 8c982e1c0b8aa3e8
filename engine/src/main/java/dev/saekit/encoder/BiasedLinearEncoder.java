package dev.saekit.encoder;

import dev.saekit.kernel.Ops;
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
        Tensors.requireShape(names.preBias, preBias, weight.rows());
        Tensors.requireShape(names.latentBias, latentBias, weight.columns());
        this.preBias = Parameter.trainable(names.preBias, Tensors.copy(preBias, dtype));
        this.latentBias = Parameter.trainable(names.latentBias, Tensors.copy(latentBias, dtype));
        this.buffers = new Buffers(dtype);
        this.subtractPreBias = subtractPreBias;
    }

    /** Whether the encoder subtracts the pre-bias from its input. */
    public boolean subtractsPreBias() {
        return subtractPreBias;
    }

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
        Tensors.requireMatrix("encoder input", x, inputDim());
        long rows = x.rows();
        centred = buffers.get("centred", rows, inputDim()).assign(x);
        if (subtractPreBias) {
            centred.subiRowVector(preBias.value());
        }
        preCodes = buffers.get("pre", rows, nbConcepts());
        Nd4j.gemm(centred, weight.value(), preCodes, false, false, 1.0, 0.0);
        preCodes.addiRowVector(latentBias.value());
        return new Codes(preCodes, Ops.relu(preCodes, buffers.get("codes", rows, nbConcepts())));
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
        return List.of(preBias, weight, latentBias);
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
