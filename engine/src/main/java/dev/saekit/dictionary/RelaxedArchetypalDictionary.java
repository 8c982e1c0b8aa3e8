package dev.saekit.dictionary;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Relaxed archetypal dictionary: each atom is a convex combination of candidate points plus a
 * bounded relaxation, {@code D = (W C + Lambda) * exp(m)}, with candidates {@code C [n, d]} (a
 * buffer, for example k-means centroids of the data, see {@link KMeans}), row-stochastic
 * {@code W [c, n]} starting at the identity, relaxation {@code Lambda [c, d]} starting at zero, and a
 * multiplier {@code m} (trainable by default).
 *
 * <p>Training: every {@link #get()} first projects, without gradient, {@code W <- relu(W)} then each
 * row divided by its sum plus 1e-8, and {@code Lambda_i <- Lambda_i * min(1, delta / |Lambda_i|)}.
 * Evaluation fuses {@code D} once and follows later weight changes. Usable as the dictionary of
 * any variant.
 *
 * <p>State-dict names: {@code dictionary.W}, {@code dictionary.Relax}, {@code dictionary.multiplier},
 * {@code dictionary.C}.
 *
 * <p>Paper: Fel et al. (2025), "Archetypal SAE: Adaptive and Stable Dictionary Learning for Concept
 * Extraction in Large Vision Models"; reference: overcomplete's {@code RelaxedArchetypalDictionary}.
 */
public final class RelaxedArchetypalDictionary implements Dictionary {
    public static final String W = "dictionary.W";
    public static final String RELAX = "dictionary.Relax";
    public static final String MULTIPLIER = "dictionary.multiplier";
    public static final String POINTS = "dictionary.C";

    private final int nbConcepts;
    private final int inputDim;
    private final DType dtype;
    private final double delta;
    private final Parameter weights;
    private final Parameter relax;
    private final Parameter multiplier;
    private final Parameter points;
    private final Buffers buffers;
    private boolean training = true;
    private INDArray fused;
    private long fusedVersion = -1;
    private int pingPong;

    /**
     * @param points        candidate points {@code [n, inputDim]} with {@code n >= nbConcepts} (copied)
     * @param delta         bound on each relaxation row's norm ({@code > 0}; the reference uses 1)
     * @param useMultiplier whether the scale {@code exp(m)} is learned
     */
    public RelaxedArchetypalDictionary(
            int nbConcepts, INDArray points, double delta, boolean useMultiplier, DType dtype) {
        if (points.rank() != 2) {
            throw new IllegalArgumentException(
                    "archetypal points must be a matrix [n, input], was rank " + points.rank());
        }
        if (nbConcepts <= 0) {
            throw new IllegalArgumentException("nbConcepts must be > 0, was " + nbConcepts);
        }
        if (points.rows() < nbConcepts) {
            throw new IllegalArgumentException("archetypal dictionary needs at least nbConcepts=" + nbConcepts
                    + " candidate points, got " + points.rows()
                    + " (each atom starts on its own point); pick more points,"
                    + " e.g. KMeans.fit(data, " + nbConcepts + ", ...)");
        }
        if (!(delta > 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("delta must be finite and > 0, was " + delta);
        }
        this.nbConcepts = nbConcepts;
        this.inputDim = (int) points.columns();
        this.dtype = dtype;
        this.delta = delta;
        int n = (int) points.rows();
        this.points = Parameter.buffer(POINTS, Tensors.copy(points, dtype));
        this.weights = Parameter.trainable(
                W,
                Nd4j.eye(Math.max(nbConcepts, n))
                        .castTo(dtype.nd4j())
                        .get(
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, nbConcepts),
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n))
                        .dup('c'));
        this.relax = Parameter.trainable(RELAX, Tensors.zeros(dtype, nbConcepts, inputDim));
        INDArray m = Tensors.scalar(dtype, 0.0);
        this.multiplier = useMultiplier ? Parameter.trainable(MULTIPLIER, m) : Parameter.buffer(MULTIPLIER, m);
        this.buffers = new Buffers(dtype);
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

    public double delta() {
        return delta;
    }

    public int nbCandidates() {
        return (int) points.value().rows();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weights, relax, multiplier, points);
    }

    @Override
    public INDArray get() {
        if (!training) {
            long version = weights.version() + relax.version() + multiplier.version() + points.version();
            if (fused == null || version != fusedVersion) {
                fuse();
            }
            return fused;
        }
        return projectAndCompose();
    }

    /** Projects W onto row-stochastic matrices and bounds each relaxation row's norm by delta, in place. */
    public void project() {
        INDArray w = weights.value();
        org.nd4j.linalg.ops.transforms.Transforms.relu(w, false);
        w.diviColumnVector(w.sum(1).addi(1e-8).reshape(nbConcepts, 1));
        INDArray r = relax.value();
        INDArray norms = r.norm2(1);
        // min(1, delta / norm); a zero row gives delta / 0 = inf, clamped to 1
        INDArray scale = Transforms.min(norms.rdivi(delta), 1.0, false);
        r.muliColumnVector(scale.reshape(nbConcepts, 1));
        weights.markChanged();
        relax.markChanged();
    }

    private INDArray projectAndCompose() {
        project();
        pingPong ^= 1;
        INDArray d = buffers.get(pingPong == 0 ? "d0" : "d1", nbConcepts, inputDim);
        Nd4j.gemm(weights.value(), points.value(), d, false, false, 1.0, 0.0);
        d.addi(relax.value());
        double scale = Math.exp(multiplier.value().getDouble(0));
        return scale == 1.0 ? d : d.muli(scale);
    }

    private void fuse() {
        fused = projectAndCompose().dup('c');
        fusedVersion = weights.version() + relax.version() + multiplier.version() + points.version();
    }

    @Override
    public void backward(INDArray gradD, INDArray usedD) {
        Tensors.requireShape("dL/dD", gradD, nbConcepts, inputDim);
        double scale = Math.exp(multiplier.value().getDouble(0));
        if (multiplier.isTrainable()) {
            multiplier.grad().addi(gradD.mul(usedD).sumNumber().doubleValue());
        }
        INDArray scaled =
                buffers.get("scaled-grad", nbConcepts, inputDim).assign(gradD).muli(scale);
        relax.grad().addi(scaled);
        Nd4j.gemm(scaled, points.value(), weights.grad(), false, true, 1.0, 1.0);
    }

    @Override
    public void backwardOuter(INDArray a, INDArray b, INDArray usedD) {
        INDArray gradD = buffers.get("gradD", nbConcepts, inputDim);
        Nd4j.gemm(a, b, gradD, true, false, 1.0, 0.0);
        backward(gradD, usedD);
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
        return "RelaxedArchetypalDictionary[" + nbConcepts + " x " + inputDim + ", candidates=" + nbCandidates()
                + ", delta=" + delta + (multiplier.isTrainable() ? ", multiplier" : "") + ", " + dtype + "]";
    }
}
