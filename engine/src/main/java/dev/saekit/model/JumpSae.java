package dev.saekit.model;

import dev.saekit.encoder.Codes;
import dev.saekit.kernel.Ops;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import java.util.stream.IntStream;
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

    @Override
    protected Codes sparsify(INDArray x, Codes encoded) {
        long rows = x.rows();
        relu = Ops.relu(encoded.preCodes(), scratch.get("relu", rows, nbConcepts()));
        theta = Transforms.exp(thresholds.value(), true);
        INDArray codes = buffers.get("jump-codes", rows, nbConcepts());
        // keep r where r >= theta (per column): mask = step(r - theta) with r == theta kept
        INDArray mask = scratch.get("mask", rows, nbConcepts()).assign(relu).subiRowVector(theta);
        Ops.positiveMask(mask.negi(), mask); // 1[theta - r > 0] = 1[r < theta]
        mask.rsubi(1.0); // 1[r >= theta]
        codes.assign(relu).muli(mask);
        return new Codes(encoded.preCodes(), codes);
    }

    @Override
    protected void sparsifyBackward(INDArray gradCodes, INDArray gradPreCodes) {
        accumulateThresholdGradient(gradCodes);
        INDArray mask = scratch.get("mask", gradCodes.rows(), nbConcepts());
        INDArray g = scratch.get("grad-relu", gradCodes.rows(), nbConcepts())
                .assign(gradCodes)
                .muli(mask);
        // the encoder's codes are relu(pre) = r, so its backward applies relu' to dL/dr
        encoder.backward(g, gradPreCodes);
    }

    /** {@code dL/dt_j = theta_j * sum_b -(theta_j / eps) K(r_bj - theta_j) dL/dz_bj}. */
    private void accumulateThresholdGradient(INDArray gradCodes) {
        int rows = (int) gradCodes.rows();
        int c = nbConcepts();
        double[] th = theta.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        double[] r = relu.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .dup('c')
                .data()
                .asDouble();
        double[] g = gradCodes
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .dup('c')
                .data()
                .asDouble();
        double[] grad = new double[c];
        IntStream.range(0, c).parallel().forEach(j -> {
            double sum = 0;
            double factor = -(th[j] / bandwidth);
            for (int b = 0; b < rows; b++) {
                int i = b * c + j;
                double gv = g[i];
                if (gv != 0) {
                    sum += factor * kernel.value(r[i] - th[j], bandwidth) * gv;
                }
            }
            grad[j] = sum * th[j];
        });
        thresholds.grad().addi(Tensors.fromFlat(dtype(), grad, c));
    }

    @Override
    protected String settings() {
        return ", kernel=" + kernel + ", bandwidth=" + bandwidth;
    }
}
