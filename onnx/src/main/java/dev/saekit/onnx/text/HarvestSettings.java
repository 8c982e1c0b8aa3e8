package dev.saekit.onnx.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What makes a harvest the harvest it is: resuming one checks that every field is the same. The
 * corpus is cut into windows of {@code window} documents from the first; a window's documents are
 * run shortest first, {@code batchSize} at a time (less padding), and its rows are written in
 * corpus order; shards hold whole windows. So the batches, and the rows byte for byte, are the same
 * wherever a run started.
 *
 * @param model the model's name
 * @param modelSha256 the SHA-256 of the {@code .onnx} file
 * @param tokenizerSha256 the SHA-256 of the {@code tokenizer.json} file
 * @param taps the taps as named (friendly or tensor names), in order
 * @param tensors the tensor each tap stands for
 * @param corpus the corpus, in words ({@link TextCorpus#description()})
 * @param tokenBudget the most rows to write; 0 for the whole corpus
 * @param specialTokens whether {@code [CLS]} and {@code [SEP]} get rows
 * @param maxLength the most tokens of one document, special tokens included (the rest is cut off)
 * @param batchSize documents per model run
 * @param window documents sorted by length together, their batches formed from that order
 * @param rowsPerShard the most rows of one shard; at least {@code window * maxLength}, so that a
 *     window always fits in one shard
 */
public record HarvestSettings(
        String model,
        String modelSha256,
        String tokenizerSha256,
        List<String> taps,
        List<String> tensors,
        String corpus,
        long tokenBudget,
        SpecialTokens specialTokens,
        int maxLength,
        int batchSize,
        int window,
        int rowsPerShard)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public HarvestSettings {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(modelSha256, "modelSha256");
        Objects.requireNonNull(tokenizerSha256, "tokenizerSha256");
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(specialTokens, "specialTokens");
        taps = List.copyOf(taps);
        tensors = List.copyOf(tensors);
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("taps must name at least one tap");
        }
        if (tensors.size() != taps.size()) {
            throw new IllegalArgumentException(
                    "tensors must name one tensor per tap: " + taps.size() + " taps, " + tensors.size() + " tensors");
        }
        if (tokenBudget < 0) {
            throw new IllegalArgumentException("tokenBudget must be >= 0 (0: the whole corpus), was " + tokenBudget);
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be >= 2 (room for [CLS] and [SEP]), was " + maxLength);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, was " + window);
        }
        long windowRows = (long) window * maxLength;
        if (rowsPerShard < windowRows) {
            throw new IllegalArgumentException("rowsPerShard must be >= window * maxLength = " + window + " * "
                    + maxLength + " = " + windowRows + " (a window never spans two shards), was " + rowsPerShard);
        }
    }

    /**
     * The first setting in which {@code asked} differs from these (the recorded ones), in words such
     * as {@code batch_size: 32 in harvest.json, 16 asked for}; empty when they are the same.
     */
    public Optional<String> firstDifference(HarvestSettings asked) {
        return firstDifference(asked, HarvestState.FILE_NAME);
    }

    /** {@link #firstDifference(HarvestSettings)}, these settings being recorded in the file {@code recordedIn}. */
    public Optional<String> firstDifference(HarvestSettings asked, String recordedIn) {
        Map<String, Object[]> fields = new LinkedHashMap<>();
        fields.put("model", new Object[] {model, asked.model});
        fields.put("model_sha256", new Object[] {modelSha256, asked.modelSha256});
        fields.put("tokenizer_sha256", new Object[] {tokenizerSha256, asked.tokenizerSha256});
        fields.put("taps", new Object[] {taps, asked.taps});
        fields.put("tensors", new Object[] {tensors, asked.tensors});
        fields.put("corpus", new Object[] {corpus, asked.corpus});
        fields.put("token_budget", new Object[] {tokenBudget, asked.tokenBudget});
        fields.put("special_tokens", new Object[] {specialTokens.label(), asked.specialTokens.label()});
        fields.put("max_length", new Object[] {maxLength, asked.maxLength});
        fields.put("batch_size", new Object[] {batchSize, asked.batchSize});
        fields.put("window", new Object[] {window, asked.window});
        fields.put("rows_per_shard", new Object[] {rowsPerShard, asked.rowsPerShard});
        List<String> out = new ArrayList<>();
        fields.forEach((name, v) -> {
            if (out.isEmpty() && !Objects.equals(v[0], v[1])) {
                out.add(name + ": " + v[0] + " in " + recordedIn + ", " + v[1] + " asked for");
            }
        });
        return out.stream().findFirst();
    }
}
