package dev.saekit.onnx.splice;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Token batches from a HuggingFace {@code tokenizer.json}, with DJL's binding of the
 * {@code tokenizers} library (run offline: DJL is told so before its first call). Each document is
 * cut at {@value #MAX_TOKENS} tokens ({@code [CLS]} and {@code [SEP]} included) and the batch
 * padded on the right with token id 0 and attention mask 0.
 */
public final class DjlTokenBatcher implements TokenBatcher {
    /** The longest document in tokens: what the sentence-transformers MiniLM models were trained on. */
    public static final int MAX_TOKENS = 128;

    private final HuggingFaceTokenizer tokenizer;

    private DjlTokenBatcher(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The tokenizer in {@code tokenizerJson} (read, not closed); {@code source} names it in errors. */
    public static DjlTokenBatcher read(InputStream tokenizerJson, String source) throws IOException {
        if (System.getProperty("offline") == null) {
            System.setProperty("offline", "true"); // DJL would otherwise probe the network on first use
        }
        Map<String, String> options =
                Map.of("padding", "false", "truncation", "true", "maxLength", Integer.toString(MAX_TOKENS));
        try {
            return new DjlTokenBatcher(HuggingFaceTokenizer.newInstance(tokenizerJson, options));
        } catch (RuntimeException e) {
            throw new IOException(source + ": not a tokenizer DJL can read: " + e.getMessage(), e);
        }
    }

    @Override
    public TokenBatch batch(List<String> documents) {
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one document");
        }
        Encoding[] encodings = tokenizer.batchEncode(documents);
        int length = 0;
        for (Encoding e : encodings) {
            length = Math.max(length, e.getIds().length);
        }
        int n = encodings.length;
        long[] ids = new long[n * length];
        long[] mask = new long[n * length];
        long[] types = new long[n * length];
        for (int d = 0; d < n; d++) {
            Encoding e = encodings[d];
            System.arraycopy(e.getIds(), 0, ids, d * length, e.getIds().length);
            System.arraycopy(e.getAttentionMask(), 0, mask, d * length, e.getAttentionMask().length);
            System.arraycopy(e.getTypeIds(), 0, types, d * length, e.getTypeIds().length);
        }
        return new TokenBatch(n, length, ids, mask, types);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
