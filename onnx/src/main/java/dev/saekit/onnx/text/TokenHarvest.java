package dev.saekit.onnx.text;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import me.tongfei.progressbar.ProgressBar;

/**
 * Token activations of a text model on a corpus, written to a harvest directory: documents are
 * read one batch at a time, tokenized, run through the model, and every kept token of every
 * document becomes one row of each tap. Memory holds one batch and the current shard's documents;
 * rows go to disk as they come.
 *
 * <p>A harvest directory {@code DIR}:
 *
 * <ul>
 *   <li>{@code DIR/<tap>/shard-00000.npy}, ...: float32 {@code [rows, C]} per tap, the directory
 *       named after the tap ({@code residual:3} in {@code residual_3}; see {@link
 *       dev.saekit.onnx.ActivationExtractor#directoryName});
 *   <li>{@code DIR/tokens/doc_ids-00000.npy} (int64: the document, an index into {@code
 *       documents.jsonl}), {@code positions-00000.npy} (int32: the token's position in its
 *       tokenized document, {@code [CLS]} being 0) and {@code token_ids-00000.npy} (int32): the token
 *       table, row for row with shard 00000 of every tap;
 *   <li>{@code DIR/documents.jsonl}: {@code {"id":...,"text":...}} for every document harvested,
 *       in corpus order (a document whose tokens are all dropped is there too);
 *   <li>{@code DIR/vocab.txt} (line i: the token of id i, a line break in a token written {@code
 *       \n}) and {@code DIR/tokenizer.json}, a copy of the tokenizer;
 *   <li>{@code DIR/manifest.json}: an {@link dev.saekit.io.ActivationManifest}, so that the readers
 *       of extracted activations read a harvest too;
 *   <li>{@code DIR/harvest.json}: the {@link HarvestState}: settings and finished shards.
 * </ul>
 *
 * <p>Batches: the corpus is cut into windows of {@code window} documents from the first; a
 * window's documents are run shortest first, {@code batchSize} at a time, so that a batch holds
 * texts of about one length and little of it is padding (on WordNet's short glosses, documents
 * taken in corpus order 32 at a time are more than half padding); the window's rows are then
 * written in corpus order. A shard holds whole windows: it is finished before a window that would
 * overflow it.
 *
 * <p>Deterministic and resumable: the batches depend only on the window, and windows start at
 * the same documents however a run started, so a resumed run forms the same batches as an
 * uninterrupted one and writes the same bytes (ONNX Runtime's numbers for a text depend on the
 * batch it is padded in). Each shard's files are written atomically, then its documents appended
 * to {@code documents.jsonl}, then {@code harvest.json} rewritten: only then is the shard finished.
 * A resumed run keeps the finished shards, cuts {@code documents.jsonl} back to what they account
 * for, checks that the corpus still starts with those documents, and goes on from the next one.
 * With a token budget the run stops at exactly that many rows, in the middle of a document if need
 * be; the window is still run whole.
 *
 * <p>The same harvest can be computed by several processes: {@link Builder#plan(int)} cuts it into
 * parts of whole shards that run anywhere and are assembled into this same directory, byte for byte
 * ({@link HarvestPlan}).
 *
 * <pre>{@code
 * try (TextModel model = TextModel.minilm()) {
 *     HarvestResult r = TokenHarvest.builder(model, TextCorpus.wordnet(Path.of("/usr/share/wordnet")), out)
 *             .taps(List.of("residual:3", "mlp_hidden:3"))
 *             .tokens(100_000)
 *             .build()
 *             .run();
 * }
 * }</pre>
 */
public final class TokenHarvest {
    private final TextModel model;
    private final TextCorpus corpus;
    private final HarvestSettings settings;
    private final HarvestFiles files;
    private final int threads;
    private final PrintStream progress;
    private final HarvestListener listener;

    private TokenHarvest(Builder b, HarvestSettings settings, HarvestFiles files) {
        this.model = b.model;
        this.corpus = b.corpus;
        this.settings = settings;
        this.files = files;
        this.threads = b.threads;
        this.progress = b.progress;
        this.listener = b.listener;
    }

    /** A harvest of {@code model}'s activations on {@code corpus} into the directory {@code out}. */
    public static Builder builder(TextModel model, TextCorpus corpus, Path out) {
        return new Builder(model, corpus, out);
    }

    /** Optional settings; {@link #build()} checks them and the directory. */
    public static final class Builder {
        private final TextModel model;
        private final TextCorpus corpus;
        private final Path out;
        private List<String> taps = List.of("residual:3");
        private long tokens;
        private SpecialTokens special = SpecialTokens.DROP;
        private int batchSize = 32;
        private int window; // 0: the default
        private int rowsPerShard = 65_536;
        private int threads;
        private boolean resume;
        private PrintStream progress;
        private HarvestListener listener = HarvestListener.NONE;

        private Builder(TextModel model, TextCorpus corpus, Path out) {
            this.model = Objects.requireNonNull(model, "model");
            this.corpus = Objects.requireNonNull(corpus, "corpus");
            this.out = Objects.requireNonNull(out, "out");
        }

        /** The taps, friendly names ({@code residual:3}) or tensor names (default {@code residual:3}). */
        public Builder taps(List<String> taps) {
            this.taps = List.copyOf(taps);
            return this;
        }

        /** Stop after exactly this many rows (default 0: the whole corpus). */
        public Builder tokens(long tokens) {
            this.tokens = tokens;
            return this;
        }

        /** Whether {@code [CLS]} and {@code [SEP]} get rows (default {@link SpecialTokens#DROP}). */
        public Builder specialTokens(SpecialTokens special) {
            this.special = Objects.requireNonNull(special, "special");
            return this;
        }

        /** Documents per model run (default 32). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Documents sorted by length together (default: 16 batches, fewer if a shard cannot hold that
         * many documents of the model's max length).
         */
        public Builder window(int documents) {
            this.window = documents;
            return this;
        }

        /** The most rows of one shard (default 65,536); at least the window times the model's max length. */
        public Builder rowsPerShard(int rowsPerShard) {
            this.rowsPerShard = rowsPerShard;
            return this;
        }

        /** ONNX Runtime threads (default 0: one per core). */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0: one per core), was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Continue the harvest in the directory if there is one (default false: the directory must be new or empty). */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /** Shows a progress bar of rows and rows per second on {@code out}. */
        public Builder progress(PrintStream out) {
            this.progress = out;
            return this;
        }

        /** Told of every finished shard. */
        public Builder listener(HarvestListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Checks the settings and the directory: a directory that is neither new, empty nor a harvest
         * is refused, and so is a harvest without {@link #resume(boolean)} or one whose settings differ.
         */
        public TokenHarvest build() throws IOException {
            HarvestSettings s = settings();
            return new TokenHarvest(this, s, HarvestFiles.inspect(out, s, resume));
        }

        /**
         * Plans this harvest in {@code parts} parts (fewer if it has fewer shards) for separate processes
         * to compute: reads and tokenizes the whole corpus here, with no ONNX Runtime session, and stages
         * its documents under the directory's {@code parts/} (see {@link HarvestPlan}). The directory
         * must be new or empty, or hold this same plan's parts (a rerun: committed parts are kept), or
         * the harvest it assembled. The run-time options ({@link #threads}, {@link #resume}, {@link
         * #progress}, {@link #listener}) play no part.
         */
        public HarvestPlan plan(int parts) throws IOException {
            return plan(parts, HarvestPlan.HERE);
        }

        /**
         * {@link #plan(int)} with the documents' tokens counted by {@code counter}: elsewhere (on a
         * cluster's executors) and in parallel, say. The plan is the one {@link #plan(int)} makes, as
         * long as the counts are those of this model's tokenizer.
         */
        public HarvestPlan plan(int parts, HarvestPlan.Counter counter) throws IOException {
            return HarvestPlan.create(
                    model, corpus, settings(), out, parts, Objects.requireNonNull(counter, "counter"));
        }

        private HarvestSettings settings() throws IOException {
            List<String> tensors = new ArrayList<>();
            for (String tap : taps) {
                tensors.add(model.tensor(tap));
            }
            HarvestSettings s = new HarvestSettings(
                    model.name(),
                    model.sha256(),
                    ModelCache.sha256(model.tokenizer().file()),
                    taps,
                    tensors,
                    corpus.description(),
                    tokens,
                    special,
                    model.tokenizer().maxLength(),
                    batchSize,
                    window > 0 ? window : defaultWindow(model.tokenizer().maxLength()),
                    rowsPerShard);
            HarvestFiles.tapDirectories(s.taps()); // two taps in one directory are refused before anything is written
            return s;
        }

        private int defaultWindow(int maxLength) {
            return (int) Math.max(1, Math.min(16L * Math.max(batchSize, 1), rowsPerShard / Math.max(maxLength, 1)));
        }
    }

    public HarvestSettings settings() {
        return settings;
    }

    /** Harvests, or goes on with a harvest from its last finished shard; returns what was done. */
    public HarvestResult run() throws IOException {
        HarvestState state = files.prepare(model.tokenizer());
        long startNanos = System.nanoTime();
        long startCpu = HarvestResult.processCpuNanos();
        long resumedRows = state.rows();
        if (state.complete()) {
            return new HarvestResult(state, resumedRows, 0, 0, 0, 0);
        }
        double forward;
        long loadStart = System.nanoTime();
        double load;
        try (TextTaps taps = model.taps(settings.taps(), threads);
                TextCorpus.Reader reader = corpus.open();
                ProgressBar bar = HarvestProgress.bar(progress, settings.tokenBudget(), resumedRows)) {
            load = (System.nanoTime() - loadStart) / 1e9;
            files.skipHarvested(reader, state.documents());
            HarvestWindows windows =
                    new HarvestWindows(settings, model.tokenizer(), reader, state.rows(), state.documents());
            HarvestPass.Result pass = new HarvestPass(
                            model,
                            settings,
                            files,
                            listener,
                            taps,
                            windows,
                            bar,
                            state.shards().size(),
                            state.widths())
                    .run();
            state = files.complete(pass.widths());
            forward = taps.forwardSeconds();
        }
        return new HarvestResult(
                state,
                resumedRows,
                (System.nanoTime() - startNanos) / 1e9,
                (HarvestResult.processCpuNanos() - startCpu) / 1e9,
                forward,
                load);
    }
}
