package dev.saekit.onnx.splice;

/**
 * How well the SAE reconstructs the tapped rows it was spliced in for (the evaluated tokens only),
 * in the tap's own units. {@code fvu}, {@code explainedVariance}, {@code mse}, {@code l0} and
 * {@code cosine} are those of saekit's {@link dev.saekit.metrics.Evaluation} (so they match {@code
 * saekit train}'s final metrics on the same rows); a latent fires on a token when {@code |code| >=
 * 1e-6}, as {@code l0} counts.
 *
 * @param tokens       rows evaluated
 * @param latents      the SAE's latents
 * @param fvu          fraction of variance unexplained (per-dimension mean)
 * @param l0           mean count of active latents per token
 * @param cosine       mean cosine of each reconstruction to its row
 * @param l2Ratio      mean of {@code |xHat| / |x|} over rows with {@code |x| > 0}
 * @param deadLatents  latents that fired on none of the tokens
 * @param denseLatents latents that fired on more than {@link #DENSE_FREQUENCY} of the tokens
 */
public record ReconstructionQuality(
        long tokens,
        int latents,
        double mse,
        double fvu,
        double explainedVariance,
        double l0,
        double cosine,
        double l2Ratio,
        int deadLatents,
        int denseLatents,
        DensityHistogram density) {
    /** The firing frequency above which a latent is dense (SAEBench flags those above 10%). */
    public static final double DENSE_FREQUENCY = 0.1;

    public double deadFraction() {
        return deadLatents / (double) latents;
    }

    public double denseFraction() {
        return denseLatents / (double) latents;
    }
}
