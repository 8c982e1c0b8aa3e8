package dev.saekit.onnx.splice;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What an {@link InModelEvaluation} found.
 *
 * @param model               the model's file or name
 * @param tap                 the spliced tensor
 * @param width               the width of its rows
 * @param sequences           documents or lines run (the tap's first dimension, summed)
 * @param tokens              rows evaluated (padding left out)
 * @param meanOfEvaluatedRows whether mean ablation used the evaluated tokens' mean row (else one given)
 * @param downstream          what the model's outputs kept
 * @param reconstruction      how well the SAE reconstructed the rows
 */
public record InModelReport(
        String model,
        String tap,
        int width,
        long sequences,
        long tokens,
        boolean meanOfEvaluatedRows,
        Fidelity downstream,
        ReconstructionQuality reconstruction,
        Timing timing) {

    /**
     * Wall-clock seconds: in all, of the first pass for the mean row (clean runs; 0 when the mean
     * was given or kept), of the model's runs after it (four per batch, or one, the splice, when the
     * other runs were kept from an earlier evaluation), of the SAE with its reconstruction metrics,
     * and of comparing the outputs.
     */
    public record Timing(
            double seconds, double meanPassSeconds, double modelSeconds, double saeSeconds, double scoringSeconds) {}

    /** Milliseconds of the whole evaluation per evaluated token. */
    public double msPerToken() {
        return timing.seconds() * 1000 / tokens;
    }

    /** {@link Fidelity#fractionRecovered()}: the share of zero ablation's damage that the SAE's splice undoes. */
    public double fractionRecovered() {
        return downstream.fractionRecovered();
    }

    /** {@link Fidelity#fractionRecoveredOverMean()}: the same with mean ablation as the baseline. */
    public double fractionRecoveredOverMean() {
        return downstream.fractionRecoveredOverMean();
    }

    /** A text model's mean cosine of the spliced run's sentence embedding to the clean one. */
    public double spliceCosine() {
        return embedding().spliceCosine();
    }

    /** A text model's mean cosine of the sentence embedding with the tap zeroed to the clean one. */
    public double zeroCosine() {
        return embedding().zeroCosine();
    }

    /** A text model's mean cosine of the sentence embedding with the tap mean-ablated to the clean one. */
    public double meanCosine() {
        return embedding().meanCosine();
    }

    /** {@link ReconstructionQuality#fvu()} of the evaluated rows. */
    public double fvu() {
        return reconstruction.fvu();
    }

    /** {@link ReconstructionQuality#explainedVariance()} of the evaluated rows. */
    public double explainedVariance() {
        return reconstruction.explainedVariance();
    }

    /** {@link ReconstructionQuality#l0()}: mean active latents per evaluated token. */
    public double l0() {
        return reconstruction.l0();
    }

    /** {@link ReconstructionQuality#l2Ratio()}: mean {@code |xHat| / |x|}. */
    public double l2Ratio() {
        return reconstruction.l2Ratio();
    }

    /** The share of latents that fired on none of the evaluated tokens. */
    public double deadFraction() {
        return reconstruction.deadFraction();
    }

    /** The share of latents that fired on more than {@link ReconstructionQuality#DENSE_FREQUENCY} of them. */
    public double denseFraction() {
        return reconstruction.denseFraction();
    }

    /** The latents' firing frequencies, binned as SAEBench plots them. */
    public DensityHistogram density() {
        return reconstruction.density();
    }

    private EmbeddingFidelity embedding() {
        if (downstream instanceof EmbeddingFidelity e) {
            return e;
        }
        throw new IllegalStateException(
                "the model's output was scored as " + downstream.getClass().getSimpleName()
                        + ", which has no sentence-embedding cosines; read downstream() as a CharacterFidelity");
    }

    /** The report as JSON with snake_case keys; a NaN (a score without references) is null. */
    public ObjectNode toJson() {
        return ReportJson.of(this);
    }
}
