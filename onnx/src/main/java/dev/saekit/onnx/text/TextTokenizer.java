package dev.saekit.onnx.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A HuggingFace {@code tokenizer.json} run by DJL's tokenizers library (the Rust {@code tokenizers}
 * crate, bundled for Linux), entirely offline: before DJL's first use the system properties {@code
 * ai.djl.offline} and {@code OPT_OUT_TRACKING} are set to {@code true} (unless given), so that it
 * neither downloads a native library nor reports usage. Texts are truncated to {@code maxLength}
 * tokens (special tokens included) and never padded here: {@link TextBatch} pads a batch.
 */
public final class TextTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        offline();
    }

    private final Path file;
    private final int maxLength;
    private final HuggingFaceTokenizer tokenizer;
    private final List<String> vocabulary;
    private final long padId;

    private TextTokenizer(
            Path file, int maxLength, HuggingFaceTokenizer tokenizer, List<String> vocabulary, long padId) {
        this.file = file;
        this.maxLength = maxLength;
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
        this.padId = padId;
    }

    /** The tokenizer in {@code tokenizerJson}, truncating to {@code maxLength} tokens. */
    public static TextTokenizer open(Path tokenizerJson, int maxLength) throws IOException {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be >= 2 (room for [CLS] and [SEP]), was " + maxLength);
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new NoSuchFileException(tokenizerJson.toString(), null, "no such tokenizer.json file");
        }
        JsonNode config;
        try {
            config = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new MalformedFileException(tokenizerJson.toString(), "not JSON: " + e.getMessage());
        }
        List<String> vocabulary = vocabulary(config, tokenizerJson);
        long padId = config.path("padding").path("pad_id").asLong(Math.max(0, vocabulary.indexOf("[PAD]")));
        HuggingFaceTokenizer t;
        try {
            t = HuggingFaceTokenizer.newInstance(
                    tokenizerJson,
                    Map.of("padding", "false", "truncation", "true", "maxLength", Integer.toString(maxLength)));
        } catch (RuntimeException e) {
            throw new MalformedFileException(
                    tokenizerJson.toString(), "the tokenizers library cannot load it: " + e.getMessage());
        }
        return new TextTokenizer(tokenizerJson, maxLength, t, vocabulary, padId);
    }

    /** Sets DJL's offline switches unless the caller set them; done before any DJL class runs. */
    static void offline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /** {@code text} tokenized: special tokens added, truncated to {@link #maxLength()}. */
    public Tokens encode(String text) {
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        long[] special = e.getSpecialTokenMask();
        CharSpan[] spans = e.getCharTokenSpans();
        int n = ids.length;
        int[] starts = new int[n];
        int[] ends = new int[n];
        boolean[] isSpecial = new boolean[n];
        boolean surrogates = text.length() != text.codePointCount(0, text.length());
        for (int i = 0; i < n; i++) {
            isSpecial[i] = special[i] != 0;
            CharSpan s = spans == null ? null : spans[i];
            if (s != null && !isSpecial[i]) {
                // the library counts code points; a Java string counts UTF-16 chars
                starts[i] = surrogates ? text.offsetByCodePoints(0, s.getStart()) : s.getStart();
                ends[i] = surrogates ? text.offsetByCodePoints(0, s.getEnd()) : s.getEnd();
            }
        }
        return new Tokens(text, ids, e.getTypeIds(), e.getTokens(), starts, ends, isSpecial);
    }

    /** {@code texts} tokenized and padded into one batch. */
    public TextBatch batch(List<String> texts) {
        List<Tokens> tokens = new ArrayList<>(texts.size());
        for (String t : texts) {
            tokens.add(encode(t));
        }
        return TextBatch.of(tokens, padId);
    }

    /** The token string of every id: entry i is the token of id i ("" for an id the file does not name). */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The id that pads a batch. */
    public long padId() {
        return padId;
    }

    /** The most tokens of one text, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /** The {@code tokenizer.json} file. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** The model's vocabulary (an object token to id, or Unigram's list of {@code [token, score]}) plus the added tokens. */
    private static List<String> vocabulary(JsonNode config, Path source) throws MalformedFileException {
        String[] byId = new String[0];
        JsonNode vocab = config.path("model").path("vocab");
        List<Map.Entry<String, Long>> entries = new ArrayList<>();
        if (vocab.isObject()) {
            vocab.fields()
                    .forEachRemaining(
                            f -> entries.add(Map.entry(f.getKey(), f.getValue().asLong(-1))));
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                entries.add(Map.entry(vocab.get(i).path(0).asText(), (long) i));
            }
        } else {
            throw new MalformedFileException(source.toString(), "no model.vocab: not a tokenizer.json saekit reads");
        }
        for (JsonNode added : config.path("added_tokens")) {
            entries.add(
                    Map.entry(added.path("content").asText(), added.path("id").asLong(-1)));
        }
        for (Map.Entry<String, Long> e : entries) {
            long id = e.getValue();
            if (id < 0 || id >= 10_000_000) {
                throw new MalformedFileException(
                        source.toString(), "token '" + e.getKey() + "' has the id " + id + ", not one in 0..9999999");
            }
            if (id >= byId.length) {
                byId = Arrays.copyOf(byId, (int) Math.max(id + 1, byId.length * 2L));
            }
            byId[(int) id] = e.getKey();
        }
        int size = byId.length;
        while (size > 0 && byId[size - 1] == null) {
            size--;
        }
        List<String> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(byId[i] == null ? "" : byId[i]);
        }
        return Collections.unmodifiableList(out);
    }
}
