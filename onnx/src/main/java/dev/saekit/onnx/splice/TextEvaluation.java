package dev.saekit.onnx.splice;

import dev.saekit.onnx.LongTensor;
import dev.saekit.onnx.text.SpecialTokens;
import dev.saekit.onnx.text.TextBatch;
import dev.saekit.onnx.text.TextModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An SAE measured inside the text model it was trained on: the model spliced at a tap ({@link
 * SplicedModel}, on {@link TextModel#onnxFile()}), documents tokenized by the model's tokenizer in
 * batches, and an {@link InModelEvaluation} of the sentence embedding (the attention-mask weighted
 * mean of {@link #DEFAULT_OUTPUT} unless another output is named). {@code saekit evaluate} runs
 * exactly this.
 *
 * <pre>{@code
 * try (TextModel model = TextModel.minilm();
 *      TextEvaluation e = TextEvaluation.builder(model, "residual:3", RowAutoencoder.of(sae, mean, 1))
 *              .threads(1)
 *              .open()) {
 *     InModelReport r = e.run(texts);
 *     double recovered = r.fractionRecovered();
 * }
 * }</pre>
 *
 * <p>Which rows count follows a harvest's {@link SpecialTokens}: with {@link SpecialTokens#DROP}
 * (the default, as harvests are made) {@code [CLS]} and {@code [SEP]} rows are neither scored nor
 * replaced, they keep their clean values like padding; with {@link SpecialTokens#KEEP} they are
 * both. The sentence embedding always pools every token of a document, special ones included, as
 * sentence-transformers does.
 */
public final class TextEvaluation implements AutoCloseable {
    /** The output pooled into the sentence embedding when the model has it. */
    public static final String DEFAULT_OUTPUT = "last_hidden_state";

    private final TextModel model;
    private final SplicedModel spliced;
    private final InModelEvaluation evaluation;
    private final int batchSize;
    private final SpecialTokens specialTokens;
    private final String output;
    private final boolean keepBaseline;
    private List<String> baselineDocuments;
    private InModelEvaluation.Baseline baseline;

    private TextEvaluation(Builder b, SplicedModel spliced, String output) {
        this.model = b.model;
        this.spliced = spliced;
        this.output = output;
        this.batchSize = b.batchSize;
        this.specialTokens = b.specialTokens;
        this.keepBaseline = b.keepBaseline;
        InModelEvaluation.Builder e =
                InModelEvaluation.builder(spliced, b.sae, new Downstream.SentenceEmbedding(output));
        if (b.meanRow != null) {
            e.meanRow(b.meanRow);
        }
        this.evaluation = e.build();
    }

    /** An evaluation of {@code sae} spliced into {@code model} at {@code tap}, a friendly name ({@code residual:3}) or a tensor name. */
    public static Builder builder(TextModel model, String tap, RowAutoencoder sae) {
        return new Builder(model, tap, sae);
    }

    /**
     * Settings with defaults: 32 documents per run, {@link SpecialTokens#DROP}, ONNX Runtime's own
     * thread count, the evaluated tokens' mean row for mean ablation, {@link #DEFAULT_OUTPUT} (else
     * the model's first float output) pooled.
     */
    public static final class Builder {
        private final TextModel model;
        private final String tap;
        private final RowAutoencoder sae;
        private int batchSize = 32;
        private SpecialTokens specialTokens = SpecialTokens.DROP;
        private int threads;
        private float[] meanRow;
        private String output;
        private boolean keepBaseline;

        private Builder(TextModel model, String tap, RowAutoencoder sae) {
            this.model = Objects.requireNonNull(model, "model");
            this.tap = Objects.requireNonNull(tap, "tap");
            this.sae = Objects.requireNonNull(sae, "sae");
        }

        /** Documents per model run, padded to the longest of them (padding keeps its clean values). */
        public Builder batchSize(int documents) {
            this.batchSize = documents;
            return this;
        }

        /** Whether {@code [CLS]} and {@code [SEP]} rows are scored and replaced ({@link SpecialTokens#KEEP}) or not. */
        public Builder specialTokens(SpecialTokens special) {
            this.specialTokens = Objects.requireNonNull(special, "specialTokens");
            return this;
        }

        /** ONNX Runtime intra-op threads per run; 0 lets it use one per core. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** The row that mean ablation puts at every counted token (copied), instead of the evaluated tokens' mean. */
        public Builder meanRow(float[] row) {
            this.meanRow = row.clone();
            return this;
        }

        /**
         * Keep the runs that do not depend on the SAE (clean, zeroed, mean-ablated) for the last
         * documents evaluated, so that evaluating other SAEs (behind a {@link SwappedRows}) on the
         * same documents runs the model once per batch: for sweeps. Off by default; the reports are
         * the same either way.
         */
        public Builder keepBaseline(boolean keep) {
            this.keepBaseline = keep;
            return this;
        }

        /** The model output whose attention-masked mean is the sentence embedding. */
        public Builder output(String name) {
            this.output = Objects.requireNonNull(name, "output");
            return this;
        }

        /**
         * Checks the settings, resolves the tap and opens the spliced model; a bad setting, tap or
         * output is an {@link IllegalArgumentException} saying which.
         */
        public TextEvaluation open() throws IOException {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be > 0, was " + batchSize);
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0: one per core), was " + threads);
            }
            if (meanRow != null && meanRow.length != sae.width()) {
                throw new IllegalArgumentException(
                        "meanRow has " + meanRow.length + " values but the SAE's rows have " + sae.width());
            }
            String tensor = model.tensor(tap);
            SplicedModel spliced = SplicedModel.open(model.onnxFile(), tensor, threads);
            try {
                String pooled = output != null
                        ? output
                        : spliced.outputs().contains(DEFAULT_OUTPUT)
                                ? DEFAULT_OUTPUT
                                : spliced.outputs().get(0);
                if (!spliced.outputs().contains(pooled)) {
                    throw new IllegalArgumentException("output '" + pooled + "': " + model.name()
                            + " has no such float output; its float outputs are " + spliced.outputs());
                }
                return new TextEvaluation(this, spliced, pooled);
            } catch (RuntimeException e) {
                spliced.close();
                throw e;
            }
        }
    }

    /** The spliced tensor, the tap resolved. */
    public String tensor() {
        return spliced.tensor();
    }

    /** The output pooled into the sentence embedding. */
    public String output() {
        return output;
    }

    /**
     * Evaluates over {@code documents} (at least one), {@link Builder#batchSize} at a time in list
     * order; an SAE whose width is not the tap's is an {@link IllegalArgumentException} naming both.
     */
    public InModelReport run(List<String> documents) {
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("no document to evaluate on: give at least one");
        }
        if (keepBaseline && documents.equals(baselineDocuments)) {
            return evaluation.run(baseline);
        }
        List<EvalBatch> batches = new ArrayList<>();
        for (int start = 0; start < documents.size(); start += batchSize) {
            List<String> texts = documents.subList(start, Math.min(documents.size(), start + batchSize));
            batches.add(batch(model, model.tokenizer().batch(texts), specialTokens));
        }
        if (!keepBaseline) {
            return evaluation.run(batches);
        }
        baseline = new InModelEvaluation.Baseline(batches);
        baselineDocuments = List.copyOf(documents);
        return evaluation.run(baseline);
    }

    /**
     * {@code batch} as {@code model} is fed it, with the attention mask as the attention mask and,
     * as the token mask, the tokens that {@code special} keeps.
     */
    public static EvalBatch batch(TextModel model, TextBatch batch, SpecialTokens special) {
        Map<String, Feed> feeds = new LinkedHashMap<>();
        for (Map.Entry<String, LongTensor> f : model.feeds(batch).entrySet()) {
            feeds.put(f.getKey(), Feed.longs(f.getValue().data(), f.getValue().shape()));
        }
        long[] attention = batch.attentionMask().data();
        long[] counted = new long[attention.length];
        int length = batch.length();
        for (int d = 0; d < batch.size(); d++) {
            boolean[] isSpecial = batch.texts().get(d).special();
            for (int t = 0; t < isSpecial.length; t++) {
                counted[d * length + t] = special.keeps(isSpecial[t]) ? 1 : 0;
            }
        }
        return new EvalBatch(feeds, counted, attention, List.of());
    }

    /** Closes the spliced model's sessions; the text model stays open. */
    @Override
    public void close() {
        spliced.close();
    }
}
