package dev.saekit.onnx.splice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run's worth of inputs for an {@link InModelEvaluation}: the model's feeds, which rows of the
 * tapped tensor are real tokens, and the reference texts of its sequences, if any.
 *
 * @param feeds      one value per model input, by name
 * @param tokenMask  one value per row of the tapped tensor (its leading dimensions flattened), 1
 *                   for a token that counts and 0 for padding, or null when every row counts
 * @param references the true text of each sequence (an OCR line's rendered text), or empty
 */
public record EvalBatch(Map<String, Feed> feeds, long[] tokenMask, List<String> references) {
    public EvalBatch {
        Objects.requireNonNull(feeds, "feeds");
        feeds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(feeds));
        references = List.copyOf(references);
    }

    /** A text batch: its tokens' feeds, its attention mask as the token mask, no references. */
    public static EvalBatch of(TokenBatch tokens) {
        return new EvalBatch(tokens.feeds(), tokens.attentionMask(), List.of());
    }

    /** A batch in which every row of the tap counts. */
    public static EvalBatch of(Map<String, Feed> feeds, List<String> references) {
        return new EvalBatch(feeds, null, references);
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
