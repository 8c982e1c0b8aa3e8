package dev.saekit.onnx.text;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;

/**
 * One run of a {@link TokenHarvest}, from the first unfinished shard to the end: windows of
 * documents read, tokenized, run shortest first in batches, their rows gathered back into corpus
 * order and appended to the current shard, which is finished before a window that would overflow
 * it. A window's rows are written on a background thread while the next window runs through the
 * model (at most one window waits to be written); the shard's appends keep their order, and the
 * shard is finished, the state written and any write error thrown only once that write is done.
 */
final class HarvestPass {
    private final TextModel model;
    private final HarvestSettings settings;
    private final HarvestFiles files;
    private final HarvestListener listener;
    private final TextTaps taps;
    private final TextCorpus.Reader reader;
    private final ProgressBar bar;
    private HarvestState state;
    private long rows;
    private long nextDocument;
    private int[] widths;
    private ShardWriter shard;
    /** Rows appended to the current shard, counting those still being written. */
    private long shardRows;
    /** The thread that writes windows' rows, started with the first. */
    private ExecutorService writer;
    /** The window's write in progress, or null. */
    private Future<?> pending;

    HarvestPass(
            TextModel model,
            HarvestSettings settings,
            HarvestFiles files,
            HarvestListener listener,
            TextTaps taps,
            TextCorpus.Reader reader,
            ProgressBar bar,
            HarvestState state) {
        this.model = model;
        this.settings = settings;
        this.files = files;
        this.listener = listener;
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
            try {
                awaitQuietly(); // a failing run still lets the write in progress end before the shard closes
                if (shard != null) {
                    shard.close();
                }
            } finally {
                if (writer != null) {
                    writer.shutdownNow();
                }
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
        if (shard != null && shardRows + rows.count() > settings.rowsPerShard()) {
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
        long[] docIds = new long[rows.count()];
        for (int r = 0; r < rows.count(); r++) {
            docIds[r] = nextDocument + rows.text(r);
        }
        int[] positions = rows.positions();
        int[] tokenIds = rows.tokenIds(tokens);
        List<String> documents = new ArrayList<>(rows.texts());
        for (int i = 0; i < rows.texts(); i++) {
            documents.add(HarvestFiles.documentLine(docs.get(i)));
        }
        float[][] values = out;
        int count = rows.count();
        ShardWriter into = shard;
        write(() -> {
            for (int t = 0; t < values.length; t++) {
                into.appendTap(t, values[t], count, RowSelection.nonFinite(values[t], values[t].length));
            }
            into.appendTokens(docIds, positions, tokenIds, count);
            for (String line : documents) {
                into.addDocument(line);
            }
            return null;
        });
        shardRows += count;
        nextDocument += rows.texts();
        this.rows += rows.count();
    }

    /** The window's texts (indices) by length, shortest first (ties in corpus order), {@code batchSize} at a time. */
    private List<int[]> batches(List<Tokens> tokens) {
        Integer[] order = new Integer[tokens.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                Comparator.comparingInt((Integer i) -> tokens.get(i).length()).thenComparingInt(i -> i));
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

    /** Writes a window's rows on the writer thread once the previous window's are written. */
    private void write(Callable<Void> rowsOfWindow) throws IOException {
        await();
        if (writer == null) {
            writer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "saekit-harvest-writer");
                t.setDaemon(true);
                return t;
            });
        }
        pending = writer.submit(rowsOfWindow);
    }

    /** Waits for the window's write in progress; its failure is thrown here. */
    private void await() throws IOException {
        if (pending == null) {
            return;
        }
        Future<?> p = pending;
        pending = null;
        try {
            p.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the harvest's rows were being written");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("writing the harvest's rows failed", cause);
        }
    }

    /** {@link #await} on the way out of a failed run, whose own error is the one reported. */
    private void awaitQuietly() {
        try {
            await();
        } catch (IOException | RuntimeException e) {
            // the run is already failing with its own error
        }
    }

    private void startShard(TextActivations a) throws IOException {
        if (widths.length == 0) {
            widths = new int[settings.taps().size()];
            for (int t = 0; t < widths.length; t++) {
                widths[t] = a.tap(settings.taps().get(t)).width();
            }
        }
        shardRows = 0;
        shard = new ShardWriter(
                files.directory(),
                files.tapDirectories(),
                widths,
                state.shards().size(),
                nextDocument);
    }

    private void finishShard() throws IOException {
        await();
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
