package dev.saekit.onnx.text;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Whether the tokens the tokenizer adds ({@code [CLS]}, {@code [SEP]}) get rows: in a harvest, rows
 * written; in an evaluation inside the model, rows counted and replaced.
 */
public enum SpecialTokens {
    /** Every token of a text, special ones included. */
    KEEP,
    /** Only the text's own tokens. */
    DROP;

    /** {@code keep} or {@code drop}. */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code keep} or {@code drop} (any case); an error lists both. */
    @JsonCreator
    public static SpecialTokens parse(String text) {
        for (SpecialTokens s : values()) {
            if (s.label().equalsIgnoreCase(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("special tokens must be keep or drop, was '" + text + "'");
    }

    /** Whether a token with this special flag gets a row. */
    public boolean keeps(boolean special) {
        return this == KEEP || !special;
    }
}
