package dev.saekit.onnx.splice;

import dev.saekit.onnx.ocr.CtcDecoder;
import java.util.Objects;

/** What {@link InModelEvaluation} compares between a clean run's outputs and an altered run's. */
public sealed interface Downstream permits Downstream.SentenceEmbedding, Downstream.CharacterDistributions {

    /** The model output compared. */
    String output();

    /**
     * A text embedding model's sentence embedding: the attention-mask weighted mean of {@code
     * output} ({@code [documents, tokens, width]}) over each document's tokens, as
     * sentence-transformers pools it. Scored by the cosine of an altered run's embedding to the
     * clean one, averaged over documents ({@link EmbeddingFidelity}).
     */
    record SentenceEmbedding(String output) implements Downstream {
        public SentenceEmbedding {
            Objects.requireNonNull(output, "output");
        }
    }

    /**
     * A recogniser's per-frame character distributions {@code [lines, frames, classes]} read by
     * greedy CTC: scored by the KL divergence of the altered distribution from the clean one, the
     * agreement of their argmax and the character error rates of the decoded texts ({@link
     * CharacterFidelity}).
     *
     * @param scores whether {@code output} holds probabilities or logits (softmax applied here)
     */
    record CharacterDistributions(String output, CtcDecoder decoder, Scores scores) implements Downstream {
        public CharacterDistributions {
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(decoder, "decoder");
            Objects.requireNonNull(scores, "scores");
        }
    }

    /** What the values of a per-frame output are. */
    enum Scores {
        /** Probabilities (a softmax already applied): each frame is non-negative and sums to 1. */
        PROBABILITIES,
        /** Unnormalised logits. */
        LOGITS,
        /** Decided from the first clean output: probabilities if every frame of it is one (within 1e-3), else logits. */
        DETECT
    }
}
