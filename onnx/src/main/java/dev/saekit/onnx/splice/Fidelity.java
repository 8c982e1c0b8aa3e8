package dev.saekit.onnx.splice;

/** How much of the model's clean behaviour a run with the SAE spliced in keeps. */
public sealed interface Fidelity permits EmbeddingFidelity, CharacterFidelity {
    /**
     * The share of the damage done by zeroing the tap that the SAE's reconstruction undoes: 1 when
     * the spliced run behaves as the clean one, 0 when it does no better than zeros.
     */
    double fractionRecovered();

    /** {@link #fractionRecovered()} with mean ablation instead of zeros as the baseline. */
    double fractionRecoveredOverMean();
}
