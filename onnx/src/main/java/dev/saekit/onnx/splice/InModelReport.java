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
     * Wall-clock seconds: in all, of the first pass for the mean row (clean runs), of the model's
     * runs after it (four per batch), of the SAE with its reconstruction metrics, and of comparing
     * the outputs.
     */
    public record Timing(
            double seconds, double meanPassSeconds, double modelSeconds, double saeSeconds, double scoringSeconds) {}

    /** Milliseconds of the whole evaluation per evaluated token. */
    public double msPerToken() {
        return timing.seconds() * 1000 / tokens;
    }

    /** The report as JSON with snake_case keys; a NaN (a score without references) is null. */
    public ObjectNode toJson() {
        return ReportJson.of(this);
    }
}
