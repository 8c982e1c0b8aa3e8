package dev.saekit.model;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import java.util.Objects;

/**
 * What every SAE variant is built from.
 *
 * @param inputDim   width of the activations ({@code d})
 * @param nbConcepts number of dictionary atoms ({@code c})
 * @param encoder    the encoder architecture
 * @param dictionary the dictionary's normalisation and multiplier
 * @param dtype      float32 or float64
 * @param seed       seed of every random initialisation
 */
public record SaeConfig(
        int inputDim, int nbConcepts, EncoderKind encoder, DictionaryConfig dictionary, DType dtype, long seed) {

    public SaeConfig {
        if (inputDim <= 0) {
            throw new IllegalArgumentException("inputDim must be > 0, was " + inputDim);
        }
        if (nbConcepts <= 0) {
            throw new IllegalArgumentException("nbConcepts must be > 0, was " + nbConcepts);
        }
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(dictionary, "dictionary");
        Objects.requireNonNull(dtype, "dtype");
    }

    /** Linear encoder, l2 dictionary without multiplier, float32, seed 0. */
    public static SaeConfig of(int inputDim, int nbConcepts) {
        return new SaeConfig(inputDim, nbConcepts, EncoderKind.LINEAR, DictionaryConfig.defaults(), DType.FLOAT32, 0L);
    }

    public SaeConfig withInputDim(int width) {
        return new SaeConfig(width, nbConcepts, encoder, dictionary, dtype, seed);
    }

    public SaeConfig withEncoder(EncoderKind kind) {
        return new SaeConfig(inputDim, nbConcepts, kind, dictionary, dtype, seed);
    }

    public SaeConfig withDictionary(DictionaryConfig config) {
        return new SaeConfig(inputDim, nbConcepts, encoder, config, dtype, seed);
    }

    public SaeConfig withDType(DType type) {
        return new SaeConfig(inputDim, nbConcepts, encoder, dictionary, type, seed);
    }

    public SaeConfig withSeed(long newSeed) {
        return new SaeConfig(inputDim, nbConcepts, encoder, dictionary, dtype, newSeed);
    }
}
