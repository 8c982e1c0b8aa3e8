package dev.saekit.model;

import dev.saekit.encoder.Codes;
import dev.saekit.kernel.Ops;
import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * JumpReLU SAE: a learned threshold per concept, {@code theta = exp(t)} with log-thresholds {@code t}
 * (parameter {@code thresholds}, starting at -3). Codes come from {@code r = relu(z_pre)} (the
 * encoder's own activation is not used): {@code z = r * 1[r >= theta]}.
 *
 * <p>Backward: {@code dz/dr = 1[r >= theta]}; the threshold gets the kernel pseudo-derivative
 * {@code dL/dtheta = sum_batch -(theta / eps) K(r - theta) dL/dz}, and {@code dL/dt = theta dL/dtheta}.
 * The kernel ({@link JumpKernel}, default silverman) and the bandwidth {@code eps} (default 1e-3,
 * a float32 value) are settings.
 *
 * <p>Paper: Rajamanoharan et al. (2024), "Jumping Ahead: Improving Reconstruction Fidelity with
 * JumpReLU Sparse Autoencoders"; reference: overcomplete's {@code JumpSAE}.
 */
public final class JumpSae extends SparseAutoencoder {
    public static final String THRESHOLDS = "thresholds";
    /** The initial log-threshold. */
    public static final double INITIAL_LOG_THRESHOLD = -3.0;

    private final JumpKernel kernel;
    private final float bandwidth;
    private final Parameter thresholds;
    private final Buffers scratch;
    private INDArray relu;
    private INDArray theta;
    /** On the sparse path: the entries within the kernel's support below their threshold, and their code gradient. */
    private SparseCodes band;

    private double[] bandGrad;
    private double[] thetaValues;

    JumpSae(ModelSpec spec, JumpReluSpec settings, ModelParts parts) {
        super(spec, parts);
        this.kernel = settings.kernel();
        this.bandwidth = settings.bandwidth();
        this.thresholds = Parameter.trainable(
                THRESHOLDS, Tensors.ones(config.dtype(), config.nbConcepts()).muli(INITIAL_LOG_THRESHOLD));
        this.scratch = new Buffers(config.dtype());
    }

    public JumpKernel kernel() {
        return kernel;
    }

    public float bandwidth() {
        return bandwidth;
    }

    /** The log-thresholds {@code t} ({@code theta = exp(t)}). */
    public Parameter thresholds() {
        return thresholds;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(thresholds);
    }

    /**
     * {@code z = r * 1[r >= theta]} with {@code r = relu(pre)}: read from the encoder's codes when they
     * are that ReLU, so the forward holds no copy of it, and kept by one pass over the rows.
     */
    @Override
    protected Codes sparsify(INDArray x, Codes encoded) {
        long rows = x.rows();
        relu = encoder.codesAreReluOfPreCodes()
                ? encoded.codes()
                : Ops.relu(encoded.preCodes(), scratch.get("relu", rows, nbConcepts()));
        theta = Transforms.exp(thresholds.value(), true);
        thetaValues = theta.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        INDArray codes = buffers.get("jump-codes", rows, nbConcepts());
        if (!RowKernels.keepAtLeast(relu, thetaValues, codes)) {
            // keep r where r >= theta (per column): mask = step(r - theta) with r == theta kept
            INDArray mask = scratch.get("mask", rows, nbConcepts()).assign(relu).subiRowVector(theta);
            Ops.positiveMask(mask.negi(), mask); // 1[theta - r > 0] = 1[r < theta]
            mask.rsubi(1.0); // 1[r >= theta]
            codes.assign(relu).muli(mask);
        }
        return new Codes(encoded.preCodes(), codes);
    }

    /**
     * The code gradient reaches {@code r} where the code is kept ({@code r >= theta > 0}, so exactly
     * where the code is positive): masked in place in {@code gradCodes}, the caller's scratch, as a
     * ReLU's backward masks by its input.
     */
    @Override
    protected void sparsifyBackward(INDArray gradCodes, INDArray gradPreCodes) {
        accumulateThresholdGradient(gradCodes);
        Ops.reluBackward(lastOutput().codes(), gradCodes, gradCodes);
        // the encoder's codes are relu(pre) = r, so its backward applies relu' to dL/dr
        encoder.backward(gradCodes, gradPreCodes);
    }

    /** Codes {@code r >= theta > 0}: few are non-zero once the thresholds and the penalty have made them sparse. */
    @Override
    protected boolean choosesPathByDensity() {
        return true;
    }

    /**
     * The threshold's pseudo-derivative reads the code gradient wherever {@code K(r - theta)} is not
     * zero: at the kept codes, and at the entries within the kernel's {@linkplain JumpKernel#support
     * support} below their threshold, selected here. Dense path when that band reaches {@code r = 0}
     * (a threshold within the support of 0: every zero code is in it) or holds more than
     * {@code budget} entries, and always with the cauchy kernel, whose support is unbounded.
     */
    @Override
    protected boolean selectSideEntries(long budget) {
        double radius = kernel.support(bandwidth); // thetaValues: this forward's, from sparsify
        double[] from = new double[thetaValues.length];
        for (int j = 0; j < from.length; j++) {
            from[j] = thetaValues[j] - radius;
            if (!(from[j] > 0)) {
                return false;
            }
        }
        band = SparseCodes.within(relu, from, thetaValues, band);
        return band.nonZeros() <= budget;
    }

    /** The thresholds' gradient from the kept codes' and the band's code gradients; as {@link #accumulateThresholdGradient}. */
    @Override
    protected void backwardOnSparseCodes(
            SparseCodes codes, double[] gradCodes, INDArray gRecon, INDArray d, INDArray lossCodes) {
        double[] grad = new double[nbConcepts()];
        addThresholdTerms(codes, gradCodes, grad);
        if (band.nonZeros() > 0) {
            bandGrad = band.dotsAt(gRecon, d, bandGrad);
            if (lossCodes != null) {
                band.addAt(lossCodes, bandGrad);
            }
            addThresholdTerms(band, bandGrad, grad);
        }
        for (int j = 0; j < grad.length; j++) {
            grad[j] *= thetaValues[j];
        }
        thresholds.grad().addi(Tensors.fromFlat(dtype(), grad, grad.length));
    }

    /** {@code sums[j] += -(theta_j / eps) K(r_e - theta_j) g_e} over the entries {@code e} of concept {@code j}. */
    private void addThresholdTerms(SparseCodes entries, double[] g, double[] sums) {
        double[] r = entries.values();
        for (int e = 0; e < entries.nonZeros(); e++) {
            int j = entries.concept(e);
            double th = thetaValues[j];
            if (g[e] != 0) {
                sums[j] += -(th / bandwidth) * kernel.value(r[e] - th, bandwidth) * g[e];
            }
        }
    }

    /** {@code dL/dt_j = theta_j * sum_b -(theta_j / eps) K(r_bj - theta_j) dL/dz_bj}. */
    private void accumulateThresholdGradient(INDArray gradCodes) {
        int c = nbConcepts();
        double[] th = thetaValues;
        double[] grad = new double[c];
        RowKernels.columnSumsWhereNonZero(
                relu, gradCodes, (j, r, g) -> -(th[j] / bandwidth) * kernel.value(r - th[j], bandwidth) * g, grad);
        for (int j = 0; j < c; j++) {
            grad[j] *= th[j];
        }
        thresholds.grad().addi(Tensors.fromFlat(dtype(), grad, c));
    }

    @Override
    protected String settings() {
        return ", kernel=" + kernel + ", bandwidth=" + bandwidth;
    }
}
