package dev.saekit.onnx.splice;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Documents tokenized for a BERT-style text model: {@code [documents, length]} int64 token ids,
 * attention mask (1 for a real token, 0 for padding) and token types, each document padded on the
 * right to the longest of its batch.
 */
public record TokenBatch(int documents, int length, long[] inputIds, long[] attentionMask, long[] tokenTypeIds) {
    /** The input names of BERT-style models exported from transformers. */
    public static final String INPUT_IDS = "input_ids";

    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    public TokenBatch {
        if (documents <= 0 || length <= 0) {
            throw new IllegalArgumentException(
                    "a token batch needs documents > 0 and length > 0, was " + documents + " x " + length);
        }
        long cells = Math.multiplyExact((long) documents, length);
        for (long[] a : new long[][] {inputIds, attentionMask, tokenTypeIds}) {
            if (a.length != cells) {
                throw new IllegalArgumentException("a batch of " + documents + " x " + length + " tokens needs " + cells
                        + " values per array, one has " + a.length);
            }
        }
        for (int i = 0; i < attentionMask.length; i++) {
            if (attentionMask[i] != 0 && attentionMask[i] != 1) {
                throw new IllegalArgumentException("attention mask value " + i + " is " + attentionMask[i]
                        + "; a mask holds 1 (token) or 0 (padding)");
            }
        }
    }

    /** The model's feeds: {@link #INPUT_IDS}, {@link #ATTENTION_MASK}, {@link #TOKEN_TYPE_IDS}. */
    public Map<String, Feed> feeds() {
        Map<String, Feed> f = new LinkedHashMap<>();
        f.put(INPUT_IDS, Feed.longs(inputIds, documents, length));
        f.put(ATTENTION_MASK, Feed.longs(attentionMask, documents, length));
        f.put(TOKEN_TYPE_IDS, Feed.longs(tokenTypeIds, documents, length));
        return f;
    }

    /** The real tokens: the ones of the attention mask. */
    public long tokens() {
        long n = 0;
        for (long m : attentionMask) {
            n += m;
        }
        return n;
    }
}
