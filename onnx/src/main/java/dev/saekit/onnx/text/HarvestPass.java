package dev.saekit.onnx.text;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;

/**
 * One run of a {@link TokenHarvest}, from the first unfinished shard to the end: windows of
 * documents read, tokenized, run shortest first in batches, their rows gathered back into corpus
 * order and appended to the current shard, which is finished before a window that would overflow
 * it.
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
