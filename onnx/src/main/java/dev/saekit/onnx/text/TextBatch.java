package dev.saekit.onnx.text;

import dev.saekit.onnx.LongTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tokenized texts padded into the int64 tensors {@code [B, T]} a BERT-style model takes, T being
 * the longest text's length: {@code input_ids} (padded with the tokenizer's pad id), {@code
 * attention_mask} (1 on a text's tokens, 0 on padding) and {@code token_type_ids} (0 on padding).
 * The same batch fed to the same model gives the same numbers; a text's numbers may differ in the
 * last bits when it is padded to another length, so code that compares runs feeds identical batches.
 */
public final class TextBatch {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    /** The input names a batch gives. */
    public static final Set<String> INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final List<Tokens> texts;
    private final int length;
    private final LongTensor inputIds;
    private final LongTensor attentionMask;
    private final LongTensor tokenTypeIds;

    private TextBatch(List<Tokens> texts, long padId) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one text");
        }
        this.texts = List.copyOf(texts);
        int t = 0;
        for (Tokens x : texts) {
            t = Math.max(t, x.length());
        }
        this.length = t;
        int b = texts.size();
        long[] ids = new long[Math.multiplyExact(b, t)];
        long[] mask = new long[ids.length];
        long[] types = new long[ids.length];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            Tokens x = texts.get(i);
            System.arraycopy(x.ids(), 0, ids, i * t, x.length());
            System.arraycopy(x.typeIds(), 0, types, i * t, x.length());
            java.util.Arrays.fill(mask, i * t, i * t + x.length(), 1L);
        }
        this.inputIds = LongTensor.of(ids, b, t);
        this.attentionMask = LongTensor.of(mask, b, t);
        this.tokenTypeIds = LongTensor.of(types, b, t);
    }

    /** {@code texts} padded with {@code padId} to the longest one. */
    public static TextBatch of(List<Tokens> texts, long padId) {
        return new TextBatch(texts, padId);
    }

    /** The tokenized texts, in batch order. */
    public List<Tokens> texts() {
        return texts;
    }

    /** B, the number of texts. */
    public int size() {
        return texts.size();
    }

    /** T, the padded length. */
    public int length() {
        return length;
    }

    public LongTensor inputIds() {
        return inputIds;
    }

    public LongTensor attentionMask() {
        return attentionMask;
    }

    public LongTensor tokenTypeIds() {
        return tokenTypeIds;
    }

    /** All three tensors by input name; {@link TextModel#feeds} keeps those the model takes. */
    public Map<String, LongTensor> feeds() {
        Map<String, LongTensor> f = new LinkedHashMap<>();
        f.put(INPUT_IDS, inputIds);
        f.put(ATTENTION_MASK, attentionMask);
        f.put(TOKEN_TYPE_IDS, tokenTypeIds);
        return f;
    }
}
