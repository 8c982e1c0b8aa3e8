package dev.saekit.dictionary;

import java.util.Objects;

/**
 * Settings of the default dictionary.
 *
 * @param normalization the projection of the atoms (default {@link Normalization#L2})
 * @param useMultiplier whether a learned scalar {@code m} scales the dictionary by {@code exp(m)}
 */
public record DictionaryConfig(Normalization normalization, boolean useMultiplier) {
    public DictionaryConfig {
        Objects.requireNonNull(normalization, "normalization");
    }

    /** l2-normalised atoms, no multiplier: overcomplete's defaults. */
    public static DictionaryConfig defaults() {
        return new DictionaryConfig(Normalization.L2, false);
    }
}
