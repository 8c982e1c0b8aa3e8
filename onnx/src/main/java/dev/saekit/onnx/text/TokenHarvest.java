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
            return new TokenHarvest(this, s, HarvestFiles.inspect(out, s, resume));
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
            return new HarvestResult(state, resumedRows, 0, 0);
        }
        try (TextTaps taps = model.taps(settings.taps(), threads);
                TextCorpus.Reader reader = corpus.open();
                ProgressBar bar = HarvestProgress.bar(progress, settings.tokenBudget(), resumedRows)) {
            files.skipHarvested(reader, state.documents());
            state = new Pass(taps, reader, bar, state).run();
        }
        return new HarvestResult(
                state,
                resumedRows,
                (System.nanoTime() - startNanos) / 1e9,
                (HarvestResult.processCpuNanos() - startCpu) / 1e9);
    }

    /** One run from the first unfinished shard to the end. */
    private final class Pass {
        private final TextTaps taps;
        private final TextCorpus.Reader reader;
        private final ProgressBar bar;
        private HarvestState state;
        private long rows;
        private long nextDocument;
        private int[] widths;
        private ShardWriter shard;

        Pass(TextTaps taps, TextCorpus.Reader reader, ProgressBar bar, HarvestState state) {
            this.taps = taps;
            this.reader = reader;
            this.bar = bar;
            this.state = state;
            this.rows = state.rows();
            this.nextDocument = state.documents();
            this.widths = state.widths().stream().mapToInt(Integer::intValue).toArray();
        }

        HarvestState run() throws IOException {
            long budget = settings.tokenBudget();
            try {
                while (budget == 0 || rows < budget) {
                    List<TextCorpus.Document> docs = readWindow();
                    if (docs.isEmpty()) {
                        break;
                    }
                    window(docs, budget == 0 ? Long.MAX_VALUE : budget - rows);
                }
                if (shard != null) {
                    finishShard();
                }
            } finally {
                if (shard != null) {
                    shard.close();
                }
            }
            state = new HarvestState(HarvestState.FORMAT_VERSION, settings, true, state.widths(), state.shards());
            files.write(state, nextDocument, true);
            return state;
        }

        private List<TextCorpus.Document> readWindow() throws IOException {
            List<TextCorpus.Document> docs = new ArrayList<>(settings.window());
            TextCorpus.Document d;
            while (docs.size() < settings.window() && (d = reader.next()) != null) {
                docs.add(d);
            }
            return docs;
        }

        /**
         * Runs one window (its documents shortest first, {@code batchSize} at a time) and writes at most
         * {@code left} of its rows, in corpus order.
         */
        private void window(List<TextCorpus.Document> docs, long left) throws IOException {
            TextTokenizer tokenizer = model.tokenizer();
            List<Tokens> tokens = new ArrayList<>(docs.size());
            for (TextCorpus.Document d : docs) {
                tokens.add(tokenizer.encode(d.text()));
            }
            RowSelection rows = RowSelection.of(tokens, settings.specialTokens(), left);
            if (shard != null && shard.rows() + rows.count() > settings.rowsPerShard()) {
                finishShard();
            }
            float[][] out = null;
            for (int[] members : batches(tokens)) {
                List<Tokens> batch = new ArrayList<>(members.length);
                for (int m : members) {
                    batch.add(tokens.get(m));
                }
                TextActivations a = taps.run(TextBatch.of(batch, tokenizer.padId()));
                if (shard == null) {
                    startShard(a);
                }
                if (out == null) {
                    out = new float[widths.length][];
                    for (int t = 0; t < widths.length; t++) {
                        out[t] = new float[Math.multiplyExact(rows.count(), widths[t])];
                    }
                }
                for (int t = 0; t < widths.length; t++) {
                    rows.scatter(a.tap(settings.taps().get(t)), members, out[t], widths[t]);
                }
                if (bar != null) {
                    int done = 0;
                    for (int m : members) {
                        done += rows.rowsOf(m);
                    }
                    bar.stepBy(done);
                }
            }
            for (int t = 0; t < widths.length; t++) {
                shard.appendTap(t, out[t], rows.count(), RowSelection.nonFinite(out[t], out[t].length));
            }
            long[] docIds = new long[rows.count()];
            for (int r = 0; r < rows.count(); r++) {
                docIds[r] = nextDocument + rows.text(r);
            }
            shard.appendTokens(docIds, rows.positions(), rows.tokenIds(tokens), rows.count());
            for (int i = 0; i < rows.texts(); i++) {
                shard.addDocument(HarvestFiles.documentLine(docs.get(i)));
            }
            nextDocument += rows.texts();
            this.rows += rows.count();
        }

        /** The window's texts (indices) by length, shortest first (ties in corpus order), {@code batchSize} at a time. */
        private List<int[]> batches(List<Tokens> tokens) {
            Integer[] order = new Integer[tokens.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(
                    order,
                    java.util.Comparator.comparingInt(
                                    (Integer i) -> tokens.get(i).length())
                            .thenComparingInt(i -> i));
            List<int[]> batches = new ArrayList<>();
            for (int from = 0; from < order.length; from += settings.batchSize()) {
                int to = Math.min(order.length, from + settings.batchSize());
                int[] members = new int[to - from];
                for (int i = from; i < to; i++) {
                    members[i - from] = order[i];
                }
                batches.add(members);
            }
            return batches;
        }

        private void startShard(TextActivations a) throws IOException {
            if (widths.length == 0) {
                widths = new int[settings.taps().size()];
                for (int t = 0; t < widths.length; t++) {
                    widths[t] = a.tap(settings.taps().get(t)).width();
                }
            }
            shard = new ShardWriter(
                    files.directory(),
                    files.tapDirectories(),
                    widths,
                    state.shards().size(),
                    nextDocument);
        }

        private void finishShard() throws IOException {
            HarvestState.Shard done = shard.commit(files.documentsFile());
            shard.close();
            shard = null;
            List<HarvestState.Shard> shards = new ArrayList<>(state.shards());
            shards.add(done);
            List<Integer> w = new ArrayList<>();
            for (int x : widths) {
                w.add(x);
            }
            state = new HarvestState(HarvestState.FORMAT_VERSION, settings, false, w, shards);
            files.write(state, nextDocument, false);
            listener.onShard(done);
        }
    }
}
