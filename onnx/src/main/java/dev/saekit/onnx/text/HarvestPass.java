package dev.saekit.onnx.text;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
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
 * One run of a harvest's windows ({@link HarvestWindows}) through the model: each window's documents
 * run shortest first in batches, their rows gathered back into corpus order and appended to the
 * current shard, which is finished where the windows say a new shard begins and after the last
 * window. A window's rows are written on a background thread while the next window runs through the
 * model (at most one window waits to be written); the shard's appends keep their order, and the
 * shard is finished, its record handed to the {@link Output} and any write error thrown only once
 * that write is done.
 *
 * <p>A whole harvest ({@link TokenHarvest}) and one part of a planned one ({@link HarvestPart}) both
 * compute their shards here; they differ only in their {@link Output}.
 */
final class HarvestPass {
    /** Where a pass's shards go, and what records each finished one. */
    interface Output {
        /** The directory the shards' files are written under: {@code <tap>/shard-*.npy}, {@code tokens/}. */
        Path directory();

        /** The directory of each tap, in tap order. */
        List<String> tapDirectories();

        /** The existing file each finished shard's {@code documents.jsonl} lines are appended to. */
        Path documentsFile();

        /** Records a shard whose files are in place and whose documents are appended. */
        void shardFinished(HarvestState.Shard shard, List<Integer> widths) throws IOException;
    }

    /** What a pass did: each tap's row width (empty if it ran no window) and the shards it finished. */
    record Result(List<Integer> widths, List<HarvestState.Shard> shards) {}

    private final TextModel model;
    private final HarvestSettings settings;
    private final Output output;
    private final HarvestListener listener;
    private final TextTaps taps;
    private final HarvestWindows windows;
    private final ProgressBar bar;
    private final int firstShard;
    private final List<HarvestState.Shard> finished = new ArrayList<>();
    private int[] widths;
    private ShardWriter shard;
    /** The thread that writes windows' rows, started with the first. */
    private ExecutorService writer;
    /** The window's write in progress, or null. */
    private Future<?> pending;

    /**
     * A pass over {@code windows} whose first shard is number {@code firstShard}; {@code widths} are
     * the taps' widths if known (from earlier shards), else empty.
     */
    HarvestPass(
            TextModel model,
            HarvestSettings settings,
            Output output,
            HarvestListener listener,
            TextTaps taps,
            HarvestWindows windows,
            ProgressBar bar,
            int firstShard,
            List<Integer> widths) {
        this.model = model;
        this.settings = settings;
        this.output = output;
        this.listener = listener;
        this.taps = taps;
        this.windows = windows;
        this.bar = bar;
        this.firstShard = firstShard;
        this.widths = widths.stream().mapToInt(Integer::intValue).toArray();
    }

    Result run() throws IOException {
        try {
            HarvestWindows.Window w;
            while ((w = windows.next()) != null) {
                if (w.startsShard() && shard != null) {
                    finishShard();
                }
                window(w);
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
        return new Result(widthList(), finished);
    }

    /** Runs one window (its documents shortest first, {@code batchSize} at a time) and writes its rows, in corpus order. */
    private void window(HarvestWindows.Window w) throws IOException {
        TextTokenizer tokenizer = model.tokenizer();
        List<Tokens> tokens = w.tokens();
        RowSelection rows = w.rows();
        float[][] out = null;
        for (int[] members : batches(tokens)) {
            List<Tokens> batch = new ArrayList<>(members.length);
            for (int m : members) {
                batch.add(tokens.get(m));
            }
            TextActivations a = taps.run(TextBatch.of(batch, tokenizer.padId()));
            if (shard == null) {
                startShard(a, w.firstDocument());
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
            docIds[r] = w.firstDocument() + rows.text(r);
        }
        int[] positions = rows.positions();
        int[] tokenIds = rows.tokenIds(tokens);
        List<String> documents = new ArrayList<>(rows.texts());
        for (int i = 0; i < rows.texts(); i++) {
            documents.add(HarvestFiles.documentLine(w.documents().get(i)));
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

    private void startShard(TextActivations a, long firstDocument) throws IOException {
        if (widths.length == 0) {
            widths = new int[settings.taps().size()];
            for (int t = 0; t < widths.length; t++) {
                widths[t] = a.tap(settings.taps().get(t)).width();
            }
        }
        shard = new ShardWriter(
                output.directory(), output.tapDirectories(), widths, firstShard + finished.size(), firstDocument);
    }

    private void finishShard() throws IOException {
        await();
        HarvestState.Shard done = shard.commit(output.documentsFile());
        shard.close();
        shard = null;
        finished.add(done);
        output.shardFinished(done, widthList());
        listener.onShard(done);
    }

    private List<Integer> widthList() {
        List<Integer> w = new ArrayList<>();
        for (int x : widths) {
            w.add(x);
        }
        return w;
    }
}
