package dev.saekit.model;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.encoder.Codes;
import dev.saekit.encoder.Encoder;
import dev.saekit.encoder.TiedEncoder;
import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Module;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The shared shape of every SAE: an {@link Encoder} giving pre-codes and codes, a variant-specific
 * sparsification of those codes, and a {@link Dictionary} decoding {@code x_hat = z @ D} (no
 * decoder bias).
 *
 * <p>Training: {@link #forward} caches what {@link #backward} needs; {@code backward} takes the
 * loss gradient with respect to the outputs and accumulates the gradient of every parameter.
 * Nothing here allocates per step once the batch shape has been seen: outputs live in buffers the
 * model reuses (see {@link SaeOutput}).
 *
 * <p>Subclasses override {@link #sparsify} and {@link #sparsifyBackward} (TopK, JumpReLU, ...);
 * the vanilla SAE keeps the encoder's ReLU codes.
 */
public abstract class SparseAutoencoder implements Module {
    private final ModelSpec spec;
    protected final SaeConfig config;
    protected final Dictionary dictionary;
    protected final Buffers buffers;
    protected final Encoder encoder;
    private final Parameter decoderBias;
    /** A skip transcoder's skip weights {@code [output, input]}, or null. */
    private final Parameter skip;
    /** A crosscoder's activation normaliser, or null. */
    private final ActivationNormalizer normalizer;

    private boolean training = true;
    private dev.saekit.parallel.Collective collective = dev.saekit.parallel.Collective.single();

    private INDArray lastX;
    private INDArray lastD;
    /** The latest forward's non-zero codes when the variant keeps few codes, else null. */
    private SparseCodes sparse;
    /** The non-zero codes' arrays of a variant that chooses its path by density, kept between forwards. */
    private SparseCodes sparseStore;
    /** The selections a variant that keeps few codes alternates between (see {@link #forward}). */
    private SparseCodes fewCodesA;

    private SparseCodes fewCodesB;
    /** The dense codes buffer last written from sparse codes, and the sparse codes it holds. */
    private INDArray denseCodes;

    private SparseCodes denseCodesSource;

    private CodePath codePath = CodePath.AUTO;
    private long lastNonZeros = -1;

    private double[] sparseGrad;
    private SaeOutput last;

    /** A model of {@code spec} made of {@code parts}: the spec is what {@link #spec()} gives back. */
    protected SparseAutoencoder(ModelSpec spec, ModelParts parts) {
        this(spec, parts.encoder(), parts.dictionary(), parts.decoderBias(), parts.skip());
    }

    protected SparseAutoencoder(ModelSpec spec, Encoder encoder, Dictionary dictionary, Parameter decoderBias) {
        this(spec, encoder, dictionary, decoderBias, null);
    }

    private SparseAutoencoder(
            ModelSpec spec, Encoder encoder, Dictionary dictionary, Parameter decoderBias, Parameter skip) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.config = spec.sae();
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.dictionary = Objects.requireNonNull(dictionary, "dictionary");
        if (dictionary.nbConcepts() != config.nbConcepts() || dictionary.inputDim() != spec.outputDim()) {
            throw new IllegalArgumentException("dictionary is [" + dictionary.nbConcepts() + ", "
                    + dictionary.inputDim() + "] but the model is configured for [" + config.nbConcepts() + ", "
                    + spec.outputDim() + "]");
        }
        if (decoderBias != null) {
            Tensors.requireShape("decoder bias", decoderBias.value(), spec.outputDim());
        }
        boolean skipping = spec.coder() instanceof CoderSpec.Transcoder t && t.skip();
        if (skipping != (skip != null)) {
            throw new IllegalArgumentException(
                    skipping ? "a skip transcoder needs its skip weights" : "only a skip transcoder has skip weights");
        }
        if (skip != null) {
            Tensors.requireShape("skip weights", skip.value(), spec.outputDim(), config.inputDim());
        }
        this.decoderBias = decoderBias;
        this.skip = skip;
        this.normalizer = spec.coder() instanceof CoderSpec.Crosscoder c && c.normalizesActivations()
                ? new ActivationNormalizer(config.dtype(), config.inputDim(), c.layers())
                : null;
        this.buffers = new Buffers(config.dtype());
    }

    /**
     * What defines this model besides its weights: the spec it was built from. {@code spec().build()}
     * makes a model of the same shape.
     */
    public ModelSpec spec() {
        return spec;
    }

    public SaeConfig config() {
        return config;
    }

    public int inputDim() {
        return config.inputDim();
    }

    /**
     * The width of the model's output: its input width for an autoencoder or a crosscoder, the
     * predicted activation's width for a transcoder.
     */
    public int outputDim() {
        return spec.outputDim();
    }

    /** What the model reads and writes: autoencoder, transcoder or crosscoder ({@link ModelSpec#coder()}). */
    public CoderSpec coder() {
        return spec.coder();
    }

    /**
     * The width of a training row: {@link #inputDim()}, plus {@link #outputDim()} for a transcoder,
     * whose rows carry the input and then the target ({@code [x_in | y]}).
     */
    public int rowWidth() {
        return spec.rowWidth();
    }

    /**
     * The model's input in a training batch {@code [batch, rowWidth]}: the batch itself, or a
     * transcoder's first {@code inputDim} columns (copied into a reused buffer).
     */
    public INDArray inputOf(INDArray batch) {
        return columnsOf(batch, 0, inputDim(), "transcoder-input");
    }

    /**
     * What the model's output is compared with in a training batch: the batch itself, or a
     * transcoder's last {@code outputDim} columns (copied into a reused buffer).
     */
    public INDArray targetOf(INDArray batch) {
        return columnsOf(batch, inputDim(), outputDim(), "transcoder-target");
    }

    private INDArray columnsOf(INDArray batch, int from, int width, String buffer) {
        Tensors.requireMatrix("training batch", batch, rowWidth());
        if (rowWidth() == inputDim()) {
            return batch;
        }
        return buffers.get(buffer, batch.rows(), width)
                .assign(batch.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + width)));
    }

    public int nbConcepts() {
        return config.nbConcepts();
    }

    public DType dtype() {
        return config.dtype();
    }

    public Encoder encoder() {
        return encoder;
    }

    /** The dictionary module (its parameters, mode and projection). */
    public Dictionary dictionary() {
        return dictionary;
    }

    /** The dictionary matrix {@code D [concepts, input]}; in training this projects the weights first. */
    public INDArray getDictionary() {
        return dictionary.get();
    }

    // ---------------------------------------------------------------- forward / backward

    /**
     * Encodes, sparsifies and decodes {@code x [batch, inputDim]}. The returned arrays are reused
     * by the next forward; call {@link SaeOutput#detach()} to keep them.
     */
    public SaeOutput forward(INDArray input) {
        checkInput(input);
        INDArray x = normalized(input);
        INDArray xHat = buffers.get("xhat", x.rows(), outputDim());
        Codes codes;
        INDArray d;
        if (keepsFewCodes()) { // decoded on the non-zero codes only: nnz * width multiply-adds
            // two alternating selections: the one not refilled now still holds the codes that the
            // dense codes buffer holds, so that only their entries need clearing
            if (fewCodesA == null) {
                fewCodesA = new SparseCodes();
                fewCodesB = new SparseCodes();
            }
            sparse = sparse == fewCodesA ? fewCodesB : fewCodesA;
            codes = encodeFewCodes(x, sparse);
            lastNonZeros = sparse.nonZeros();
            d = dictionary.get();
            sparse.decode(d, xHat);
        } else {
            codes = sparsify(x, encoder.forward(x));
            sparse = choosesPathByDensity() ? fewCodesOf(codes.codes()) : null;
            d = dictionary.get();
            if (sparse != null) {
                sparse.decode(d, xHat);
            } else {
                Nd4j.gemm(codes.codes(), d, xHat, false, false, 1.0, 0.0);
            }
        }
        if (decoderBias != null) {
            xHat.addiRowVector(decoderBias.value());
        }
        addSkipPath(x, xHat);
        if (normalizer != null) {
            normalizer.denormalize(xHat);
        }
        return remember(
                x,
                d,
                new SaeOutput(
                        codes.preCodes(),
                        codes.codes(),
                        xHat,
                        List.of(),
                        sparse,
                        decoderBias == null ? null : decoderBias.value()));
    }

    /**
     * Encodes {@code x} and selects its codes for a variant that keeps few codes: sparse into
     * {@code into}, and dense (zero elsewhere) into a reused buffer. When the encoder's codes are
     * the ReLU of its pre-codes, the selection reads the pre-codes once and applies the ReLU itself.
     */
    private Codes encodeFewCodes(INDArray x, SparseCodes into) {
        INDArray preCodes = encoder.forwardToPreCodes(x);
        if (preCodes != null) {
            selectFewCodes(preCodes, true, into);
        } else {
            Codes encoded = encoder.forward(x);
            preCodes = encoded.preCodes();
            selectFewCodes(encoded.codes(), false, into);
        }
        INDArray dense = buffers.get("kept-codes", x.rows(), nbConcepts());
        INDArray codes = dense == denseCodes && denseCodesSource != null
                ? into.toDenseOver(dense, denseCodesSource)
                : into.toDense(dense);
        denseCodes = dense;
        denseCodesSource = into;
        return new Codes(preCodes, codes);
    }

    /**
     * The share of non-zero codes up to which the sparse path is faster than the dense products, for
     * a variant that {@linkplain #choosesPathByDensity() chooses its path by density}. Measured with
     * {@code saekit bench --variant vanilla --path sparse|dense --l0 N --steps 3 --warmup 1} (input
     * 768, 16,384 concepts, batch 1,024, float32, 2 shared cores, sparse and dense runs alternated),
     * backward seconds per step, sparse against dense: 0.22-0.38 against 1.05 at a mean L0 of 235
     * codes per row (1.4%), 0.47-0.52 against 1.12-1.50 at 592 (3.6%), 0.82-0.86 against 0.77-0.89
     * at 955 (5.8%): the paths cross near 6%, as the sparse kernels' cost grows with the non-zeros
     * and the dense products' does not. Taken lower, at 4%, so that a batch near the limit does not
     * take the slower path on a machine with a faster BLAS.
     */
    static final double SPARSE_PATH_MAX_DENSITY = 0.04;

    /**
     * The non-zero codes when this forward takes the sparse path (its {@link #codePath()}, and under
     * {@link CodePath#AUTO} the codes' measured density), or null for the dense path.
     */
    private SparseCodes fewCodesOf(INDArray codes) {
        lastNonZeros = SparseCodes.countNonZeros(codes);
        long limit = (long) (SPARSE_PATH_MAX_DENSITY * codes.length());
        if (codePath == CodePath.DENSE || (codePath == CodePath.AUTO && lastNonZeros > limit)) {
            return null;
        }
        sparseStore = SparseCodes.of(codes, sparseStore);
        long sideBudget = codePath == CodePath.SPARSE ? Long.MAX_VALUE : limit - lastNonZeros;
        return selectSideEntries(sideBudget) ? sparseStore : null;
    }

    /**
     * Whether the codes' sparsity comes from training (vanilla, JumpReLU): then every training forward
     * counts the non-zero codes and takes the sparse path when they are few (see {@link CodePath}).
     * The variant's encoder codes must be the ReLU of its pre-codes, so that a non-zero code passes
     * its gradient to its pre-code unchanged. False by default.
     */
    protected boolean choosesPathByDensity() {
        return false;
    }

    /**
     * For a variant that {@linkplain #choosesPathByDensity() chooses its path by density}, on the
     * sparse path: selects the entries besides the non-zero codes whose code gradient its backward
     * needs (JumpReLU: those just below a threshold), at most {@code budget} of them; false (dense
     * path) when it cannot. True, with none, by default.
     */
    protected boolean selectSideEntries(long budget) {
        return true;
    }

    /**
     * On the sparse path, before the encoder's gradient: the variant's own gradients from the code
     * gradient {@code gradCodes[e]} at each non-zero code of {@code codes}; {@code gRecon} and
     * {@code d} give the code gradient elsewhere ({@code gRecon d^T}, plus {@code lossCodes} when not
     * null). Nothing by default.
     */
    protected void backwardOnSparseCodes(
            SparseCodes codes, double[] gradCodes, INDArray gRecon, INDArray d, INDArray lossCodes) {}

    /** How the next training steps handle the codes of a variant whose sparsity comes from training. */
    public void setCodePath(CodePath path) {
        codePath = Objects.requireNonNull(path, "path");
    }

    public CodePath codePath() {
        return codePath;
    }

    /** Whether the latest forward took the sparse path (decode and backward on the non-zero codes). */
    public boolean lastForwardWasSparse() {
        return sparse != null;
    }

    /**
     * The number of non-zero codes of the latest forward, where the model counted them (variants that
     * keep few codes or choose their path by density); -1 otherwise.
     */
    public long lastNonZeroCodes() {
        return lastNonZeros;
    }

    /** Records the latest forward pass (for {@link #backward} and {@link #lastOutput()}); returns {@code out}. */
    protected SaeOutput remember(INDArray x, INDArray d, SaeOutput out) {
        lastX = x;
        lastD = d;
        last = out;
        return out;
    }

    /** The dictionary matrix the latest forward decoded with. */
    protected INDArray dictionaryUsedByLastForward() {
        return lastD;
    }

    /** The input of the latest forward. */
    protected INDArray lastInput() {
        return lastX;
    }

    /**
     * Accumulates into every parameter's gradient the gradient of a loss whose derivatives with
     * respect to the latest forward's outputs are {@code grads}.
     */
    public void backward(OutputGradients grads) {
        if (last == null) {
            throw new IllegalStateException("backward() needs a forward() first");
        }
        if (normalizer != null) {
            throw new IllegalStateException("this crosscoder holds an activation normaliser (imported from "
                    + "dictionary_learning), which saekit applies but does not train through; encode, evaluate and "
                    + "export it, or train a crosscoder without one");
        }
        Tensors.requireShape(
                "reconstruction gradient",
                grads.reconstruction(),
                last.reconstruction().shape());
        if (grads.codes() != null) {
            Tensors.requireShape("codes gradient", grads.codes(), last.codes().shape());
        }
        INDArray gRecon = grads.reconstruction();
        // with few codes kept (and no dense pre-code gradient to add), the codes' gradient is needed at
        // the non-zero codes only, and the weight gradients are sums over them: nnz * width work
        boolean sparsePath = sparse != null && grads.preCodes() == null;
        INDArray gCodes = null;
        if (sparsePath) {
            sparseGrad = sparse.dotsAt(gRecon, lastD, sparseGrad);
            if (grads.codes() != null) {
                sparse.addAt(grads.codes(), sparseGrad);
            }
            if (grads.codeSign() != 0) {
                sparse.addScaledSign(grads.codeSign(), sparseGrad);
            }
            dictionary.backwardSparse(sparse, last.codes(), gRecon, lastD);
            backwardOnSparseCodes(sparse, sparseGrad, gRecon, lastD, grads.codes());
        } else {
            gCodes = buffers.get("gcodes", lastX.rows(), nbConcepts());
            Nd4j.gemm(gRecon, lastD, gCodes, false, true, 1.0, 0.0);
            if (grads.codes() != null) {
                gCodes.addi(grads.codes());
            }
            if (grads.codeSign() != 0) {
                RowKernels.addScaledSign(last.codes(), grads.codeSign(), gCodes);
            }
            dictionary.backwardOuter(last.codes(), gRecon, lastD);
        }
        if (decoderBias != null && decoderBias.isTrainable()) {
            RowKernels.addColumnSums(gRecon, decoderBias.grad());
        }
        backwardSkipPath(gRecon);
        if (grads.dictionary() != null) {
            dictionary.backward(grads.dictionary(), grads.dictionaryUsed());
        }
        if (grads.nested().stream().anyMatch(java.util.Objects::nonNull)) {
            throw new IllegalArgumentException("a " + spec.variant().name() + " model has no nested reconstructions; "
                    + "use a Matryoshka model with a nested loss");
        }
        List<double[]> decodePreCodeGrads = backwardSparseDecodes(grads.sparseDecodes());
        // a kept non-zero code is positive: its pre-code gradient is its code gradient; the encoder
        // takes it together with the sparse decodes' pre-code gradients, in one weight-gradient pass
        if (sparsePath
                && encoder.backwardSparse(
                        sparsePatterns(grads.sparseDecodes(), decodePreCodeGrads), sparseGrads(decodePreCodeGrads))) {
            return;
        }
        INDArray gPreCodes = densePreCodeGradient(grads.preCodes(), grads.sparseDecodes(), decodePreCodeGrads);
        if (sparsePath) { // an encoder without a sparse backward: the code gradient, zero off the non-zero codes
            gCodes = buffers.get("gcodes", lastX.rows(), nbConcepts()).assign(0);
            sparse.scatter(sparseGrad, gCodes);
            // no mask to apply, and the variant's own gradients were taken by backwardOnSparseCodes
            encoder.backward(gCodes, gPreCodes);
            return;
        }
        sparsifyBackward(gCodes, gPreCodes);
    }

    /**
     * The dictionary's and the decoder bias's share of each of a loss's own sparse decodes; returns
     * the pre-code gradient of each (null for a decode that sends none to the pre-codes).
     */
    protected final List<double[]> backwardSparseDecodes(List<OutputGradients.SparseDecode> decodes) {
        List<double[]> preCodeGrads = new ArrayList<>(decodes.size());
        for (OutputGradients.SparseDecode decode : decodes) {
            requireCodesShape(decode.codes());
            dictionary.backwardSparse(decode.codes(), null, decode.gradient(), decode.usedD());
            if (decode.withBias() && decoderBias != null && decoderBias.isTrainable()) {
                RowKernels.addColumnSums(decode.gradient(), decoderBias.grad());
            }
            preCodeGrads.add(
                    decode.intoPreCodes() ? decode.codes().dotsAt(decode.gradient(), decode.usedD(), null) : null);
        }
        return preCodeGrads;
    }

    private void requireCodesShape(SparseCodes codes) {
        if (codes.rows() != lastX.rows() || codes.concepts() != nbConcepts()) {
            throw new IllegalArgumentException("a loss's sparse codes are [" + codes.rows() + ", " + codes.concepts()
                    + "] but the forward's codes are [" + lastX.rows() + ", " + nbConcepts() + "]");
        }
    }

    /** The forward's codes, then the codes of each sparse decode that has a pre-code gradient. */
    private List<SparseCodes> sparsePatterns(List<OutputGradients.SparseDecode> decodes, List<double[]> preCodeGrads) {
        List<SparseCodes> patterns = new ArrayList<>(1 + decodes.size());
        patterns.add(sparse);
        for (int i = 0; i < decodes.size(); i++) {
            if (preCodeGrads.get(i) != null) {
                patterns.add(decodes.get(i).codes());
            }
        }
        return patterns;
    }

    /** The pre-code gradients at the entries of {@link #sparsePatterns}, in the same order. */
    private List<double[]> sparseGrads(List<double[]> preCodeGrads) {
        List<double[]> all = new ArrayList<>(1 + preCodeGrads.size());
        all.add(sparseGrad);
        for (double[] g : preCodeGrads) {
            if (g != null) {
                all.add(g);
            }
        }
        return all;
    }

    /**
     * The dense pre-code gradient: {@code preCodes} (or null) plus the sparse decodes' pre-code
     * gradients scattered into it; null when there is none.
     */
    protected final INDArray densePreCodeGradient(
            INDArray preCodes, List<OutputGradients.SparseDecode> decodes, List<double[]> preCodeGrads) {
        INDArray g = preCodes;
        for (int i = 0; i < decodes.size(); i++) {
            if (preCodeGrads.get(i) == null) {
                continue;
            }
            if (g == null) {
                g = buffers.get("gprecodes", lastX.rows(), last.preCodes().columns())
                        .assign(0);
            }
            decodes.get(i).codes().scatterAdd(preCodeGrads.get(i), g);
        }
        return g;
    }

    /**
     * Whether the sparsification keeps few codes per row and cuts the gradient of every other code
     * (TopK, BatchTopK): then decoding and the weight gradients run on the non-zero codes only.
     * False by default.
     */
    protected boolean keepsFewCodes() {
        return false;
    }

    /**
     * For a variant that {@linkplain #keepsFewCodes() keeps few codes}: selects the codes from the
     * encoder's {@code codes} (or from {@code max(codes, 0)} when {@code relu}: then they are the
     * pre-codes of an encoder whose codes are their ReLU) into {@code into}. Replaces
     * {@link #sparsify} for such variants.
     */
    protected void selectFewCodes(INDArray codes, boolean relu, SparseCodes into) {
        throw new UnsupportedOperationException(spec.variant().name() + " does not select few codes");
    }

    /**
     * Called by the trainer after the backward pass, before clipping and the optimiser step: for
     * models that renormalise weights and adjust gradients (the MSAE Matryoshka). Nothing by default.
     */
    public void afterBackward() {}

    /**
     * The variant's sparsification of the encoder's output; the vanilla SAE keeps it as is.
     * Implementations write into {@link #buffers} and keep what their backward needs.
     */
    protected Codes sparsify(INDArray x, Codes encoded) {
        return encoded;
    }

    /**
     * Back-propagates {@code gradCodes} (with respect to the sparsified codes) and
     * {@code gradPreCodes} through the sparsification and the encoder.
     */
    protected void sparsifyBackward(INDArray gradCodes, INDArray gradPreCodes) {
        encoder.backward(gradCodes, gradPreCodes);
    }

    /** Pre-codes and codes of {@code x}, as copies. In training mode this is a training forward. */
    public Codes encode(INDArray input) {
        checkInput(input);
        INDArray x = normalized(input);
        if (keepsFewCodes()) {
            return encodeFewCodes(x, new SparseCodes()).detach();
        }
        return sparsify(x, encoder.forward(x)).detach();
    }

    /**
     * {@code codes @ D} (plus the decoder bias) as a new array. A skip transcoder's skip path needs
     * the input: {@link #forward} adds it, this does not.
     */
    public INDArray decode(INDArray codes) {
        Tensors.requireMatrix("codes", codes, nbConcepts());
        Tensors.requireDType("codes", codes, dtype());
        INDArray xHat = codes.mmul(dictionary.get());
        if (decoderBias != null) {
            xHat.addiRowVector(decoderBias.value());
        }
        return normalizer == null ? xHat : normalizer.denormalize(xHat);
    }

    /** {@code x} as the encoder reads it: normalised by a crosscoder's activation normaliser (a reused buffer), or itself. */
    private INDArray normalized(INDArray x) {
        return normalizer == null ? x : normalizer.normalize(x, buffers.get("normalized", x.rows(), inputDim()));
    }

    /** A crosscoder's activation normaliser, or null. */
    public ActivationNormalizer activationNormalizer() {
        return normalizer;
    }

    /** Adds a skip transcoder's skip path {@code x W_skip^T} to {@code out [batch, output]}; nothing for other models. */
    protected final void addSkipPath(INDArray x, INDArray out) {
        if (skip != null) {
            Nd4j.gemm(x, skip.value(), out, false, true, 1.0, 1.0);
        }
    }

    /**
     * Adds the skip weights' gradient {@code g^T x} (x the latest forward's input) for an output
     * gradient {@code g [batch, output]}; nothing for other models.
     */
    protected final void backwardSkipPath(INDArray g) {
        if (skip != null && skip.isTrainable()) {
            Nd4j.gemm(g, lastX, skip.grad(), true, false, 1.0, 1.0);
        }
    }

    /** A skip transcoder's skip weights {@code W_skip [output, input]}, or null. */
    public Parameter skip() {
        return skip;
    }

    /** The decoder bias, or null. */
    public Parameter decoderBias() {
        return decoderBias;
    }

    /** The outputs of the latest forward (views of the model's buffers), or null. */
    public SaeOutput lastOutput() {
        return last;
    }

    protected void checkInput(INDArray x) {
        Tensors.requireMatrix("input", x, inputDim());
        Tensors.requireDType("input", x, dtype());
    }

    // ---------------------------------------------------------------- modes

    /** Training mode: dictionary projections, batch statistics, running estimates. */
    public SparseAutoencoder train() {
        setTraining(true);
        return this;
    }

    /** Evaluation mode: fused dictionary, running statistics. */
    public SparseAutoencoder eval() {
        setTraining(false);
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Makes this model one worker of a data-parallel run over {@code collective}: each worker's
     * training forward sees its part of the batch, and what a variant computes over the whole batch
     * (BatchTopK's threshold) is summed over the workers, so that every worker selects as one process
     * would on the whole batch. {@link dev.saekit.parallel.Collective#single()} returns to one process.
     *
     * @throws IllegalArgumentException for a model whose training forward needs the whole batch in
     *     one place (a BatchNorm encoder), which cannot be shared
     */
    public void shareBatches(dev.saekit.parallel.Collective collective) {
        if (!collective.isSingle() && encoder.usesBatchStatistics()) {
            throw new IllegalArgumentException(
                    "this model's encoder normalises with the batch's own mean and variance (BatchNorm), which data-parallel"
                            + " workers do not share: train it in one process, or choose an encoder without batch norm");
        }
        this.collective = collective;
    }

    /** The workers this model shares its training batches among ({@link #shareBatches}); one process by default. */
    public dev.saekit.parallel.Collective batchCollective() {
        return collective;
    }

    protected void setTraining(boolean mode) {
        training = mode;
        encoder.train(mode);
        dictionary.train(mode);
    }

    public boolean isTied() {
        return encoder instanceof TiedEncoder;
    }

    // ---------------------------------------------------------------- parameters

    /** Encoder parameters, then the variant's own, then the dictionary's. */
    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(ownParameters());
        all.addAll(encoder.parameters());
        all.addAll(dictionary.parameters());
        if (decoderBias != null && all.stream().noneMatch(p -> p == decoderBias)) {
            all.add(decoderBias);
        }
        if (skip != null) {
            all.add(skip);
        }
        if (normalizer != null) {
            all.addAll(normalizer.parameters());
        }
        return Collections.unmodifiableList(all);
    }

    /** Parameters the variant adds (thresholds, biases); none for the vanilla SAE. */
    protected List<Parameter> ownParameters() {
        return List.of();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + coderLabel() + "variant="
                + spec.variant().name() + ", input="
                + inputDim()
                + ", concepts="
                + nbConcepts() + ", encoder=" + describe(encoder) + ", dictionary=" + describe(dictionary)
                + settings() + ", " + dtype() + ", " + (training ? "train" : "eval") + "]";
    }

    private String coderLabel() {
        if (spec.coder() instanceof CoderSpec.Transcoder t) {
            return (t.skip() ? "skip transcoder" : "transcoder") + ", output=" + t.outputDim() + ", ";
        }
        if (spec.coder() instanceof CoderSpec.Crosscoder c) {
            return "crosscoder, layers=" + c.layers() + ", ";
        }
        return "";
    }

    private static String describe(Encoder e) {
        if (e instanceof TiedEncoder t) {
            return t.hasBias() ? "tied+bias" : "tied";
        }
        if (e instanceof dev.saekit.encoder.MlpEncoder m) {
            return m.kind().label();
        }
        if (e instanceof dev.saekit.encoder.IdentityEncoder) {
            return "identity";
        }
        if (e instanceof dev.saekit.encoder.BiasedLinearEncoder b) {
            return b.preBias() == null ? "linear" : "pre-biased linear";
        }
        return e.getClass().getSimpleName();
    }

    private static String describe(Dictionary d) {
        if (d instanceof DictionaryLayer l) {
            return l.normalizer() + (l.multiplier().isTrainable() ? "+multiplier" : "");
        }
        if (d instanceof dev.saekit.dictionary.RelaxedArchetypalDictionary a) {
            return "archetypal(points=" + a.nbCandidates() + ", delta=" + a.delta() + ")";
        }
        if (d instanceof dev.saekit.dictionary.PlainDictionary) {
            return "plain";
        }
        return d.getClass().getSimpleName();
    }

    /** The variant's main settings for {@link #toString()}, e.g. {@code ", k=32"}. */
    protected String settings() {
        return "";
    }
}
