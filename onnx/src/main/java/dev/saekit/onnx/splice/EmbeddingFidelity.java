package dev.saekit.onnx.splice;

/**
 * Sentence embeddings kept: the cosine of each altered run's mean-pooled embedding to the clean
 * one, averaged over documents. The clean run's own score is 1, so {@code fraction_recovered =
 * (cosine_splice - cosine_zero) / (1 - cosine_zero)}.
 */
public record EmbeddingFidelity(
        String output, long documents, double spliceCosine, double zeroCosine, double meanCosine) implements Fidelity {
    @Override
    public double fractionRecovered() {
        return (spliceCosine - zeroCosine) / (1 - zeroCosine);
    }

    @Override
    public double fractionRecoveredOverMean() {
        return (spliceCosine - meanCosine) / (1 - meanCosine);
    }

    /** The mean cosine of {@code ablation}. */
    public double cosine(Ablation ablation) {
        return switch (ablation) {
            case SPLICE -> spliceCosine;
            case ZERO -> zeroCosine;
            case MEAN -> meanCosine;
        };
    }
}
