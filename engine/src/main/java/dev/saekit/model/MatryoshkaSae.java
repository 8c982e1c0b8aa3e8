package dev.saekit.model;

import dev.saekit.dictionary.PlainDictionary;
import dev.saekit.encoder.BiasedLinearEncoder;
import dev.saekit.encoder.Codes;
import dev.saekit.kernel.Ops;
import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.TopK;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Matryoshka SAE of the MSAE paper: nested TopK over ONE dictionary. With pre-bias {@code b_pre},
 * encoder {@code E [input, concepts]}, latent bias {@code b_lat} and decoder {@code W [concepts, input]}:
 * {@code pre = (x - b_pre) E + b_lat}; for each {@code k_i} of the sorted nesting list, keep the
 * {@code k_i} largest RAW pre-activations per row, apply ReLU, then the soft cap
 * {@code s tanh(z / s)} ({@code s = 0} disables it), and reconstruct {@code x_hat_i = z_i W + b_pre}.
 * The output's {@code nested} holds every {@code x_hat_i}; codes and reconstruction are those of the
 * largest k. Train it with {@code MatryoshkaLoss} (UW or RW weights, MSE or NMSE).
 *
 * <p>{@link #afterBackward()} does what the paper's training loop does after each backward pass: rescale
 * each decoder row to unit norm ({@code n_i = |W_i| + machine eps}) and compensate in encoder column i and
 * {@code b_lat_i}, then remove from each decoder-row gradient its component along the row.
 * An int64 buffer counts how often each latent fired in the largest-k codes, on every forward.
 *
 * <p>State-dict names as the paper's code: {@code pre_bias}, {@code encoder}, {@code latent_bias},
 * {@code decoder}, {@code latents_activation_frequency}.
 *
 * <p>Paper: Zaigrajew, Baniecki and Biecek (2025), "Interpreting CLIP with Hierarchical Sparse
 * Autoencoders" (MSAE). Not to be confused with {@link PrefixMatryoshkaSae} (nested dictionary prefixes).
 */
public final class MatryoshkaSae extends SparseAutoencoder {
    public static final String ACTIVATION_FREQUENCY = "latents_activation_frequency";
    /** The soft cap of the paper's class. */
    public static final double DEFAULT_SOFT_CAP = 30.0;

    private final int[] nesting;
    private final double softCap;
    private final BiasedLinearEncoder msaeEncoder;
    private final PlainDictionary decoder;
    private final Parameter frequency;
    private final List<INDArray> levelCodes = new ArrayList<>();

    private MatryoshkaSae(ModelSpec spec, MsaeSpec settings, BiasedLinearEncoder encoder, PlainDictionary decoder) {
        super(spec, encoder, decoder, null);
        this.nesting = settings.nestingArray();
        this.softCap = settings.softCap();
        this.msaeEncoder = encoder;
        this.decoder = decoder;
        this.frequency = Parameter.buffer(
                ACTIVATION_FREQUENCY, Nd4j.zeros(DataType.LONG, spec.sae().nbConcepts()));
    }

    /**
     * A Matryoshka SAE with the paper's initialisation: decoder rows Kaiming-uniform rescaled to norm
     * 0.1, encoder = decoder transposed, biases zero.
     */
    static MatryoshkaSae create(ModelSpec spec, MsaeSpec settings) {
        SaeConfig config = spec.sae();
        DType dtype = config.dtype();
        int c = config.nbConcepts();
        int d = config.inputDim();
        SeededRandom rng = new SeededRandom(config.seed());
        double bound = Math.sqrt(6.0 / d); // kaiming_uniform, fan_in = input, gain sqrt(2)
        INDArray dec = rng.uniform(dtype, -bound, bound, c, d);
        dec.diviColumnVector(dec.norm2(1).divi(0.1).reshape(c, 1));
        BiasedLinearEncoder encoder = new BiasedLinearEncoder(
                dec.transpose().dup('c'), Tensors.zeros(dtype, d), Tensors.zeros(dtype, c), dtype);
        return new MatryoshkaSae(spec, settings, encoder, new PlainDictionary("decoder", dec, dtype));
    }

    /** The sorted k of each level. */
    public int[] nesting() {
        return nesting.clone();
    }

    public double softCap() {
        return softCap;
    }

    /** How often each latent fired in the largest-k codes, summed over all forwards so far. */
    public long[] activationFrequency() {
        return frequency.value().toLongVector();
    }

    /** {@code pre_bias}, {@code encoder}, {@code latent_bias}, {@code decoder}, then the frequency buffer (the paper's order). */
    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(msaeEncoder.parameters());
        all.addAll(decoder.parameters());
        all.add(frequency);
        return java.util.Collections.unmodifiableList(all);
    }

    @Override
    public SaeOutput forward(INDArray x) {
        checkInput(x);
        long rows = x.rows();
        Codes enc = msaeEncoder.forward(x);
        INDArray pre = enc.preCodes();
        INDArray w = decoder.get();
        levelCodes.clear();
        List<INDArray> recons = new ArrayList<>();
        for (int i = 0; i < nesting.length; i++) {
            INDArray z = buffers.get("codes" + i, rows, nbConcepts());
            TopK.perRow(pre, nesting[i], z);
            Ops.relu(z, z);
            softCapInPlace(z);
            levelCodes.add(z);
            INDArray xHat = buffers.get("xhat" + i, rows, inputDim());
            Nd4j.gemm(z, w, xHat, false, false, 1.0, 0.0);
            recons.add(xHat.addiRowVector(msaeEncoder.preBias().value()));
        }
        INDArray lastCodes = levelCodes.get(nesting.length - 1);
        INDArray fired = buffers.get("fired", rows, nbConcepts());
        INDArray firedNow = Ops.nonZeroMask(lastCodes, fired).sum(0);
        if (isTraining() && !batchCollective().isSingle()) { // data-parallel: the whole batch's firings
            double[] counts = firedNow.castTo(DataType.DOUBLE).toDoubleVector();
            batchCollective().sum(counts);
            firedNow = Tensors.fromFlat(DType.FLOAT64, counts, counts.length);
        }
        frequency.value().addi(firedNow.castTo(DataType.LONG));
        frequency.markChanged();
        return remember(
                x,
                w,
                new SaeOutput(
                        pre,
                        lastCodes,
                        recons.get(nesting.length - 1),
                        recons,
                        null,
                        msaeEncoder.preBias().value()));
    }

    private void softCapInPlace(INDArray z) {
        if (softCap > 0) {
            Transforms.tanh(z.divi(softCap), false).muli(softCap);
        }
    }

    @Override
    public void backward(OutputGradients grads) {
        SaeOutput last = lastOutput();
        if (last == null) {
            throw new IllegalStateException("backward() needs a forward() first");
        }
        if (grads.dictionary() != null) {
            decoder.backward(grads.dictionary(), grads.dictionaryUsed());
        }
        long rows = last.codes().rows();
        INDArray w = decoder.get();
        Parameter preBias = msaeEncoder.preBias();
        INDArray gPre = buffers.get("grad-pre", rows, nbConcepts()).assign(0);
        INDArray gz = buffers.get("grad-z", rows, nbConcepts());
        INDArray mask = buffers.get("grad-mask", rows, nbConcepts());
        int lastLevel = nesting.length - 1;
        for (int i = 0; i <= lastLevel; i++) {
            INDArray g = i < grads.nested().size() ? grads.nested().get(i) : null;
            if (i == lastLevel) {
                g = g == null
                        ? grads.reconstruction()
                        : buffers.get("grad-last", rows, inputDim()).assign(g).addi(grads.reconstruction());
            }
            if (g == null) {
                continue;
            }
            INDArray z = levelCodes.get(i);
            decoder.backwardOuter(z, g, w);
            preBias.grad().addi(g.sum(0));
            Nd4j.gemm(g, w, gz, false, true, 1.0, 0.0);
            if (i == lastLevel && grads.codes() != null) {
                gz.addi(grads.codes());
            }
            if (i == lastLevel && grads.codeSign() != 0) {
                dev.saekit.kernel.RowKernels.addScaledSign(z, grads.codeSign(), gz);
            }
            if (softCap > 0) {
                // d/da of s tanh(a/s) = 1 - tanh^2 = 1 - (z/s)^2
                INDArray t = mask.assign(z).divi(softCap);
                gz.muli(t.muli(t).rsubi(1.0));
            }
            gPre.addi(gz.muli(Ops.nonZeroMask(z, mask)));
        }
        if (grads.preCodes() != null) {
            gPre.addi(grads.preCodes());
        }
        for (OutputGradients.SparseDecode decode : grads.sparseDecodes()) { // a loss's own decodes: x_hat = z W + b_pre
            decoder.backwardSparse(decode.codes(), null, decode.gradient(), decode.usedD());
            RowKernels.addColumnSums(decode.gradient(), preBias.grad());
            if (decode.intoPreCodes()) {
                decode.codes().scatterAdd(decode.codes().dotsAt(decode.gradient(), decode.usedD(), null), gPre);
            }
        }
        msaeEncoder.backward(null, gPre);
    }

    /** Unit-norm decoder rows with compensation, then decoder gradients projected off the rows. */
    @Override
    public void afterBackward() {
        INDArray w = decoder.weights().value();
        int c = nbConcepts();
        INDArray norms = w.norm2(1).addi(dtype().machineEpsilon());
        w.diviColumnVector(norms.reshape(c, 1));
        msaeEncoder.weight().value().muliRowVector(norms);
        msaeEncoder.latentBias().value().muli(norms);
        decoder.weights().markChanged();
        msaeEncoder.weight().markChanged();
        msaeEncoder.latentBias().markChanged();
        INDArray g = decoder.weights().grad();
        INDArray along = g.mul(w).sum(1).reshape(c, 1);
        g.subi(w.mulColumnVector(along));
    }

    /**
     * Codes and reconstruction WITHOUT the top-k (the soft-capped ReLU of the pre-activations), as the
     * paper's {@code all_latents} / {@code all_recons}; new arrays, no state changes.
     */
    public SaeOutput unsparsified(INDArray x) {
        checkInput(x);
        INDArray pre = x.sub(msaeEncoder.preBias().value().reshape(1, inputDim()))
                .mmul(msaeEncoder.weight().value())
                .addiRowVector(msaeEncoder.latentBias().value());
        INDArray z = Transforms.relu(pre, true);
        softCapInPlace(z);
        INDArray xHat =
                z.mmul(decoder.get()).addiRowVector(msaeEncoder.preBias().value());
        return new SaeOutput(pre, z, xHat);
    }

    /** Codes at any sparsity {@code k} (inference sweeps k freely): top-k of the soft-capped ReLU codes; new arrays. */
    public INDArray codesAtK(INDArray x, int k) {
        if (k < 1 || k > nbConcepts()) {
            throw new IllegalArgumentException("k must be in 1..nbConcepts=" + nbConcepts() + ", was " + k);
        }
        INDArray all = unsparsified(x).codes();
        return TopK.perRow(all, k, all.ulike());
    }

    @Override
    public Codes encode(INDArray x) {
        SaeOutput out = forward(x);
        return new Codes(out.preCodes(), out.codes()).detach();
    }

    @Override
    public INDArray decode(INDArray codes) {
        Tensors.requireMatrix("codes", codes, nbConcepts());
        return codes.mmul(decoder.get()).addiRowVector(msaeEncoder.preBias().value());
    }

    @Override
    protected String settings() {
        return ", nesting=" + java.util.Arrays.toString(nesting) + ", softCap=" + softCap;
    }
}
