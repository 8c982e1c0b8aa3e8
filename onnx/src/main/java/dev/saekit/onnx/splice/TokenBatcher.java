package dev.saekit.onnx.splice;

import java.util.List;

/**
 * Turns documents into the token batches a text model takes. {@link DjlTokenBatcher} reads a
 * HuggingFace {@code tokenizer.json}.
 */
public interface TokenBatcher extends AutoCloseable {
    /** {@code documents} (at least one) tokenized, padded to the longest. */
    TokenBatch batch(List<String> documents);

    @Override
    void close();
}
