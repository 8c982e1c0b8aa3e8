package dev.saekit.onnx.splice;

/**
 * Character distributions kept, per frame and per decoded line. Lower KL is better, so {@code
 * fraction_recovered = (kl_zero - kl_splice) / kl_zero}.
 *
 * @param cleanCerVsTruth the clean run's character error rate against the reference texts (NaN
 *                        without references)
 */
public record CharacterFidelity(
        String output,
        long lines,
        long frames,
        boolean probabilities,
        double cleanCerVsTruth,
        Scores splice,
        Scores zero,
        Scores mean)
        implements Fidelity {

    /**
     * One kind of run against the clean one.
     *
     * @param klNats          the mean over frames of KL(clean || altered), in nats
     * @param argmaxAgreement the share of frames whose most likely class is the clean one's
     * @param cerVsClean      edit distance of the decoded text to the clean run's, over the clean text's characters
     * @param cerVsTruth      edit distance of the decoded text to the reference, over its characters (NaN without references)
     */
    public record Scores(double klNats, double argmaxAgreement, double cerVsClean, double cerVsTruth) {}

    @Override
    public double fractionRecovered() {
        return (zero.klNats - splice.klNats) / zero.klNats;
    }

    @Override
    public double fractionRecoveredOverMean() {
        return (mean.klNats - splice.klNats) / mean.klNats;
    }

    /** The scores of {@code ablation}. */
    public Scores scores(Ablation ablation) {
        return switch (ablation) {
            case SPLICE -> splice;
            case ZERO -> zero;
            case MEAN -> mean;
        };
    }
}
