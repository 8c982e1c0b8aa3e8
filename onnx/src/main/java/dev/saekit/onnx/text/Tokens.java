package dev.saekit.onnx.text;

import java.util.Objects;

/**
 * One text as a tokenizer cut it: per token its id, its type id ({@code token_type_ids}), its
 * string, the characters of the text it came from ({@code text.substring(start, end)}; {@code 0,
 * 0} for a token the tokenizer added) and whether it is a special token ({@code [CLS]}, {@code
 * [SEP]}). The arrays are held as given, not copied; treat them as read-only.
 */
public record Tokens(
        String text, long[] ids, long[] typeIds, String[] tokens, int[] starts, int[] ends, boolean[] special) {
    public Tokens {
        Objects.requireNonNull(text, "text");
        int n = ids.length;
        if (typeIds.length != n
                || tokens.length != n
                || starts.length != n
                || ends.length != n
                || special.length != n) {
            throw new IllegalArgumentException("the arrays of one tokenized text must have one entry per token: ids "
                    + n + ", typeIds " + typeIds.length + ", tokens " + tokens.length + ", starts " + starts.length
                    + ", ends " + ends.length + ", special " + special.length);
        }
    }

    /** The number of tokens. */
    public int length() {
        return ids.length;
    }

    /** How many tokens are not special ones. */
    public int ordinaryCount() {
        int n = 0;
        for (boolean s : special) {
            if (!s) {
                n++;
            }
        }
        return n;
    }
}
