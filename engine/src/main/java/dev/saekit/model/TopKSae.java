package dev.saekit.model;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * TopK SAE: per row, keep the {@code k} largest codes of the encoder and zero the rest, in
 * training and evaluation alike; the gradient flows only through the kept codes. Settings:
 * {@link TopKSpec}.
 *
 * <p>Paper: Gao et al. (2024), "Scaling and evaluating sparse autoencoders"; reference: overcomplete's
 * {@code TopKSAE}.
 */
public final class TopKSae extends SparseAutoencoder {
    private final int k;
    private int activeK;

    TopKSae(ModelSpec spec, TopKSpec settings, ModelParts parts) {
        super(spec, parts);
        this.k = settings.k();
        this.activeK = k;
    }

    /** The k of the spec: the codes kept per row once any annealing has ended. */
    public int k() {
        return k;
    }

    /** The codes kept per row now: {@link #k()} unless a trainer anneals it ({@link #setActiveK}). */
    public int activeK() {
        return activeK;
    }

    /**
     * Keeps {@code k} codes per row from now on (a trainer's k annealing; the spec's {@link #k()} is
     * unchanged and is what a saved model records).
     */
    public void setActiveK(int k) {
        if (k < 1 || k > nbConcepts()) {
            throw new IllegalArgumentException("topk active k must be in 1.." + nbConcepts() + ", was " + k);
        }
        activeK = k;
    }

    @Override
    protected void selectFewCodes(INDArray codes, boolean relu, SparseCodes into) {
        TopK.perRow(codes, activeK, relu, into);
    }

    @Override
    protected void sparsifyBackward(INDArray gradCodes, INDArray gradPreCodes) {
        INDArray kept = buffers.get("kept", gradCodes.rows(), nbConcepts());
        Ops.nonZeroMask(lastOutput().codes(), kept);
        encoder.backward(kept.muli(gradCodes), gradPreCodes);
    }

    @Override
    protected boolean keepsFewCodes() {
        return true;
    }

    @Override
    protected String settings() {
        return ", k=" + k + (activeK != k ? " (now " + activeK + ")" : "");
    }
}
