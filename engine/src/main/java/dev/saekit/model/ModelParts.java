package dev.saekit.model;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.encoder.Encoder;
import dev.saekit.tensor.Parameter;
import java.util.Objects;

/**
 * The encoder, dictionary and decoder bias (null when there is none) that a {@link ModelSpec}'s
 * layout describes, as {@link ModelSpec#build()} makes them for a variant's model.
 */
public record ModelParts(Encoder encoder, Dictionary dictionary, Parameter decoderBias) {
    public ModelParts {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(dictionary, "dictionary");
    }
}
