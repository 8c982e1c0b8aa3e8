package dev.saekit.model;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.encoder.Encoder;
import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import dev.saekit.tensor.SeededRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * TopK SAE: per row, keep the {@code k} largest codes of the encoder and zero the rest, in
 * training and evaluation alike; the gradient flows only through the kept codes. Default
 * {@code k = max(concepts / 10, 1)}.
 *
 * <p>Paper: Gao et al. (2024), "Scaling and evaluating sparse autoencoders"; reference: overcomplete's
 * {@code TopKSAE}.
 */
public final class TopKSae extends SparseAutoencoder {
    private final int k;

    public TopKSae(SaeConfig config, int k, Encoder encoder, Dictionary dictionary) {
        super(config, encoder, dictionary);
        if (k < 1 || k > config.nbConcepts()) {
            throw new IllegalArgumentException("topK must be in 1..nbConcepts=" + config.nbConcepts() + ", was " + k);
        }
        this.k = k;
    }

    /** A TopK SAE with the default encoder and dictionary of {@code config}. */
    public static TopKSae create(SaeConfig config, int k) {
        SeededRandom rng = new SeededRandom(config.seed());
        Encoder encoder = defaultEncoder(config, rng);
        return new TopKSae(config, k, encoder, defaultDictionary(config, rng));
    }

    /** The reference's default: {@code max(nbConcepts / 10, 1)}. */
    public static int defaultK(int nbConcepts) {
        return Math.max(nbConcepts / 10, 1);
    }

    public int k() {
        return k;
    }

    @Override
    public String variant() {
        return "topk";
    }

    @Override
    protected ModelSpec.VariantSpec variantSpec() {
        return new ModelSpec.VariantSpec.TopK(k);
    }

    @Override
    protected void selectFewCodes(INDArray codes, boolean relu, SparseCodes into) {
        TopK.perRow(codes, k, relu, into);
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
        return ", k=" + k;
    }
}
