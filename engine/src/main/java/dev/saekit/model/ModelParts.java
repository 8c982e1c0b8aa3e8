package dev.saekit.model;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.encoder.Encoder;
import dev.saekit.tensor.Parameter;
import java.util.Objects;

/**
 * The encoder, dictionary, decoder bias and skip weights (null when there is none) that a
 * {@link ModelSpec}'s layout describes, as {@link ModelSpec#build()} makes them for a variant's model.
 */
public record ModelParts(Encoder encoder, Dictionary dictionary, Parameter decoderBias, Parameter skip) {
    public ModelParts {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(dictionary, "dictionary");
    }

    /** Parts without skip weights. */
    public ModelParts(Encoder encoder, Dictionary dictionary, Parameter decoderBias) {
        this(encoder, dictionary, decoderBias, null);
    }
}
