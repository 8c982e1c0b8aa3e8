package dev.saekit.dictionary;

import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The default dictionary: raw weights {@code W [c, d]} (Xavier-uniform or given), projected by a
 * {@link Normalizer}, times {@code exp(m)} with an optional learned scalar {@code m}:
 * {@code D = N(W) * exp(m)}.
 *
 * <p>Training mode: every {@link #get()} first projects {@code W} in place (no gradient), then
 * returns {@code W * exp(m)}. Because {@code l2} divides by {@code norm + 1e-8}, each call shrinks
 * unit atoms by {@code 1/(1+1e-8)}, exactly as the reference does; the number of calls matters in
 * float64. The gradient reaching {@code W} is {@code exp(m) * dL/dD}; that of {@code m} is
 * {@code sum(dL/dD * D)}.
 *
 * <p>Evaluation mode: {@link #train train(false)} fuses {@code D} once (one more projection) and
 * {@code get()} returns that cache, which is rebuilt if the weights or the multiplier change
 * afterwards (a load after {@code eval()} never leaves a stale dictionary). The fused matrix keeps
 * its gradient path to {@code W} and {@code m}.
 *
 * <p>State-dict names: {@code dictionary._weights} and {@code dictionary.multiplier} (a buffer
 * unless {@code useMultiplier}).
 */
public final class DictionaryLayer implements Dictionary {
    public static final String WEIGHTS = "dictionary._weights";
    public static final String MULTIPLIER = "dictionary.multiplier";

    private final int nbConcepts;
    private final int inputDim;
    private final DType dtype;
    private final Normalizer normalizer;
    private final Parameter weights;
    private final Parameter multiplier;
    private final Buffers buffers;
    private boolean training = true;
    private INDArray fused;
    private long fusedWeightsVersion = -1;
    private long fusedMultiplierVersion = -1;
    private int pingPong;
    /** The latest training projection, and the versions of the weights and multiplier it left. */
    private INDArray projected;

    private long projectedWeightsVersion = -1;
    private long projectedMultiplierVersion = -1;

    private DictionaryLayer(
            int inputDim,
            int nbConcepts,
            Normalizer normalizer,
            boolean useMultiplier,
            INDArray initialWeights,
            DType dtype) {
        if (inputDim <= 0) {
            throw new IllegalArgumentException("inputDim must be > 0, was " + inputDim);
        }
        if (nbConcepts <= 0) {
            throw new IllegalArgumentException("nbConcepts must be > 0, was " + nbConcepts);
        }
        this.inputDim = inputDim;
        this.nbConcepts = nbConcepts;
        this.dtype = dtype;
        this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
        Tensors.requireShape("dictionary initializer", initialWeights, nbConcepts, inputDim);
        this.weights = Parameter.trainable(WEIGHTS, Tensors.copy(initialWeights, dtype));
        INDArray m = Tensors.scalar(dtype, 0.0);
        this.multiplier = useMultiplier ? Parameter.trainable(MULTIPLIER, m) : Parameter.buffer(MULTIPLIER, m);
        this.buffers = new Buffers(dtype);
    }

    /** A dictionary with Xavier-uniform weights drawn from {@code rng}. */
    public static DictionaryLayer create(
            int inputDim, int nbConcepts, DictionaryConfig config, DType dtype, SeededRandom rng) {
        return create(inputDim, nbConcepts, config.normalization(), config.useMultiplier(), dtype, rng);
    }

    /** A dictionary with Xavier-uniform weights and any normaliser, built-in or custom. */
    public static DictionaryLayer create(
            int inputDim, int nbConcepts, Normalizer normalizer, boolean useMultiplier, DType dtype, SeededRandom rng) {
        if (inputDim <= 0 || nbConcepts <= 0) {
            throw new IllegalArgumentException(
                    "dictionary shape must be positive, was [" + nbConcepts + ", " + inputDim + "]");
        }
        double bound = Math.sqrt(6.0 / (inputDim + nbConcepts));
        INDArray w = rng.uniform(dtype, -bound, bound, nbConcepts, inputDim);
        return new DictionaryLayer(inputDim, nbConcepts, normalizer, useMultiplier, w, dtype);
    }

    /** A dictionary starting from {@code initializer [nbConcepts, inputDim]} (copied). */
    public static DictionaryLayer fromInitializer(INDArray initializer, DictionaryConfig config, DType dtype) {
        if (initializer.rank() != 2) {
            throw new IllegalArgumentException(
                    "dictionary initializer must be a matrix [concepts, input], was rank " + initializer.rank());
        }
        return new DictionaryLayer(
                (int) initializer.columns(),
                (int) initializer.rows(),
                config.normalization(),
                config.useMultiplier(),
                initializer,
                dtype);
    }

    @Override
    public int nbConcepts() {
        return nbConcepts;
    }

    @Override
    public int inputDim() {
        return inputDim;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    public Parameter weights() {
        return weights;
    }

    public Parameter multiplier() {
        return multiplier;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weights, multiplier);
    }

    @Override
    public INDArray get() {
        if (!training) {
            if (fused == null
                    || fusedWeightsVersion != weights.version()
                    || fusedMultiplierVersion != multiplier.version()) {
                fuse();
            }
            return fused;
        }
        return projectAndScale();
    }

    private INDArray projectAndScale() {
        if (dtype == DType.FLOAT32
                && projected != null
                && projectedWeightsVersion == weights.version()
                && projectedMultiplierVersion == multiplier.version()) {
            // Nothing changed since the last projection (the forward's, asked again by the loss): in
            // float32 projecting again is the identity up to one rounding, since the reference's
            // 1/(1 + 1e-8) shrink is below float32's resolution; skipping it saves two passes over
            // the weights per training step. Float64 keeps every projection, as the reference makes them.
            return projected;
        }
        double scale = Math.exp(multiplier.value().getDouble(0));
        // D is a copy, never the weights themselves: a later call projects the weights again and
        // must not change the D that an earlier forward used. In float64, two alternating arrays keep
        // the matrices of two consecutive calls (encode, then decode; forward, then the loss) apart.
        // In float32 such calls share the one projection above, and a new one is made only once the
        // weights have changed (after an optimiser step), when the earlier D has served its step: one
        // array is enough, 4 * concepts * input bytes less.
        if (dtype != DType.FLOAT32) {
            pingPong ^= 1;
        }
        INDArray d = buffers.get(pingPong == 0 ? "d0" : "d1", nbConcepts, inputDim);
        normalizer.projectInPlaceAndCopy(weights.value(), d, scale);
        weights.markChanged();
        projected = d;
        projectedWeightsVersion = weights.version();
        projectedMultiplierVersion = multiplier.version();
        return d;
    }

    private void fuse() {
        fused = projectAndScale().dup('c');
        fusedWeightsVersion = weights.version();
        fusedMultiplierVersion = multiplier.version();
    }

    @Override
    public void backward(INDArray gradD, INDArray usedD) {
        Tensors.requireShape("dL/dD", gradD, nbConcepts, inputDim);
        double scale = Math.exp(multiplier.value().getDouble(0));
        weights.grad().addi(gradD.mul(scale));
        if (multiplier.isTrainable()) {
            multiplier.grad().addi(gradD.mul(usedD).sumNumber().doubleValue());
        }
    }

    @Override
    public void backwardSparse(SparseCodes z, INDArray codes, INDArray b, INDArray usedD) {
        double scale = Math.exp(multiplier.value().getDouble(0));
        if (!multiplier.isTrainable() && scale == 1.0) { // straight into the weights' gradient
            if (weights.gradIsZero()) { // the step's first contribution: written, not added to zeros
                weights.recordGradRowSquares(
                        z.setTransposedProductRowSquares(z.values(), b, weights.gradToOverwrite()));
            } else {
                double[] squares = weights.recordedGradRowSquares();
                if (squares != null) { // a later contribution keeps the record of the squares up to date
                    z.addTransposedProductRowSquares(z.values(), b, weights.gradToAddKeepingRecord(), squares);
                } else {
                    z.addTransposedProduct(z.values(), b, weights.grad());
                }
            }
            return;
        }
        INDArray gradD = z.setTransposedProduct(z.values(), b, buffers.get("gradD", nbConcepts, inputDim));
        backward(gradD, usedD);
    }

    @Override
    public void backwardOuter(INDArray a, INDArray b, INDArray usedD) {
        double scale = Math.exp(multiplier.value().getDouble(0));
        if (!multiplier.isTrainable()) {
            boolean first = weights.gradIsZero(); // then written (beta 0), not added to zeros
            Nd4j.gemm(a, b, weights.gradToOverwrite(), true, false, scale, first ? 0.0 : 1.0);
            return;
        }
        INDArray gradD = buffers.get("gradD", nbConcepts, inputDim);
        Nd4j.gemm(a, b, gradD, true, false, 1.0, 0.0);
        weights.grad().addi(gradD.muli(scale));
        // gradD now holds scale * dL/dD; sum(dL/dD * D) = sum(gradD * D) / scale
        multiplier.grad().addi(gradD.mul(usedD).sumNumber().doubleValue() / scale);
    }

    @Override
    public void train(boolean training) {
        if (!training && this.training) {
            this.training = true;
            fuse();
        }
        this.training = training;
    }

    @Override
    public boolean isTraining() {
        return training;
    }

    @Override
    public String toString() {
        return "DictionaryLayer[" + nbConcepts + " x " + inputDim + ", normalization=" + normalizer
                + (multiplier.isTrainable() ? ", multiplier" : "") + ", " + dtype + "]";
    }
}
