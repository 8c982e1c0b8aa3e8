package dev.saekit.onnx.splice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run's worth of inputs for an {@link InModelEvaluation}: the model's feeds, which rows of the
 * tapped tensor are tokens that count, which are a sequence's tokens at all, and the reference texts
 * of its sequences, if any.
 *
 * @param feeds         one value per model input, by name
 * @param tokenMask     one value per row of the tapped tensor (its leading dimensions flattened), 1
 *                      for a token that counts and is replaced, 0 for one that keeps its clean value
 *                      (padding, and special tokens left out), or null when every row counts
 * @param attentionMask one value per token of a {@code [sequences, tokens, width]} output, 1 for a
 *                      token of the sequence (what a sentence embedding pools) and 0 for padding, or
 *                      null when every token is one
 * @param references    the true text of each sequence (an OCR line's rendered text), or empty
 */
public record EvalBatch(Map<String, Feed> feeds, long[] tokenMask, long[] attentionMask, List<String> references) {
    public EvalBatch {
        Objects.requireNonNull(feeds, "feeds");
        feeds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(feeds));
        references = List.copyOf(references);
        if (tokenMask != null && attentionMask != null && tokenMask.length != attentionMask.length) {
            throw new IllegalArgumentException("the token mask has " + tokenMask.length
                    + " values but the attention mask has " + attentionMask.length + "; both have one per token");
        }
    }

    /** A batch whose token mask is its attention mask too: every token of a sequence counts. */
    public EvalBatch(Map<String, Feed> feeds, long[] tokenMask, List<String> references) {
        this(feeds, tokenMask, tokenMask, references);
    }

    /** A batch in which every row of the tap counts. */
    public static EvalBatch of(Map<String, Feed> feeds, List<String> references) {
        return new EvalBatch(feeds, null, null, references);
    }

    /** The indices of the rows that count among the {@code rows} rows of the tap. */
    int[] countedRows(int rows, String tap) {
        if (tokenMask == null) {
            return java.util.stream.IntStream.range(0, rows).toArray();
        }
        if (tokenMask.length != rows) {
            throw new IllegalArgumentException("the tap '" + tap + "' has " + rows + " rows but the token mask has "
                    + tokenMask.length + " values; a text model's tap must be [documents, tokens, width]"
                    + " to line up with its attention mask");
        }
        int[] counted = new int[rows];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (tokenMask[r] != 0) {
                counted[n++] = r;
            }
        }
        return java.util.Arrays.copyOf(counted, n);
    }
}
