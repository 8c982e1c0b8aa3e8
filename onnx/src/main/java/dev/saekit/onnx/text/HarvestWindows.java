package dev.saekit.onnx.text;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a harvest cuts its documents: windows of {@code window} documents from a reader, each
 * tokenized and turned into the rows it gives (at most what is left of the token budget), and
 * whether it begins a new shard (a shard holds whole windows and is finished before a window that
 * would overflow it). The harvest's pass runs these windows through the model; its plan only counts
 * their rows. Both cut the corpus with this one class, so a planned shard is the shard a run writes.
 *
 * <p>Planning needs no tokens, only each document's count of them and of its special tokens: a
 * plan's windows come from a {@link HarvestPlan.CountedReader}, which may have counted the
 * documents elsewhere (on a cluster's executors), and are cut by the same arithmetic.
 *
 * <p>A reader that starts at a shard boundary ({@code firstDocument} is where a shard begins, and
 * {@code rows} the rows before it) gives the windows an uninterrupted run gives from there.
 */
final class HarvestWindows {
    /**
     * One window: its documents from {@code firstDocument} on, their tokens and the rows they give
     * (both null in a plan's windows, which count only), how many rows and of how many of the
     * documents, and whether it begins a shard.
     */
    record Window(
            long firstDocument,
            List<TextCorpus.Document> documents,
            List<Tokens> tokens,
            RowSelection rows,
            int rowCount,
            int texts,
            boolean startsShard) {}

    private final HarvestSettings settings;
    private final TextTokenizer tokenizer;
    private final TextCorpus.Reader reader;
    private final HarvestPlan.CountedReader counted;
    private long rows;
    private long nextDocument;
    private long shardRows;
    private boolean shardOpen;

    /** The windows read from {@code reader}, whose first document is {@code firstDocument}, after {@code rows} rows. */
    HarvestWindows(
            HarvestSettings settings,
            TextTokenizer tokenizer,
            TextCorpus.Reader reader,
            long rows,
            long firstDocument) {
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.reader = reader;
        this.counted = null;
        this.rows = rows;
        this.nextDocument = firstDocument;
    }

    /** A plan's windows: of the documents {@code counted} gives, from the first, with no tokens. */
    HarvestWindows(HarvestSettings settings, HarvestPlan.CountedReader counted) {
        this.settings = settings;
        this.tokenizer = null;
        this.reader = null;
        this.counted = counted;
    }

    /** The next window, or null at the end of the documents or of the token budget. */
    Window next() throws IOException {
        long budget = settings.tokenBudget();
        if (budget != 0 && rows >= budget) {
            return null;
        }
        long left = budget == 0 ? Long.MAX_VALUE : budget - rows;
        List<TextCorpus.Document> docs = new ArrayList<>(settings.window());
        if (counted != null) {
            int[] kept = new int[settings.window()];
            HarvestPlan.Counted c;
            while (docs.size() < settings.window() && (c = counted.next()) != null) {
                kept[docs.size()] = c.rows(settings.specialTokens());
                docs.add(c.document());
            }
            if (docs.isEmpty()) {
                return null;
            }
            RowSelection.Extent extent = RowSelection.extent(kept, docs.size(), left);
            return advance(docs, null, null, extent.count(), extent.texts());
        }
        TextCorpus.Document d;
        while (docs.size() < settings.window() && (d = reader.next()) != null) {
            docs.add(d);
        }
        if (docs.isEmpty()) {
            return null;
        }
        List<Tokens> tokens = new ArrayList<>(docs.size());
        for (TextCorpus.Document doc : docs) {
            tokens.add(tokenizer.encode(doc.text()));
        }
        RowSelection selection = RowSelection.of(tokens, settings.specialTokens(), left);
        return advance(docs, tokens, selection, selection.count(), selection.texts());
    }

    /** The window of {@code docs} that give {@code count} rows of their first {@code texts}; moves past it. */
    private Window advance(
            List<TextCorpus.Document> docs, List<Tokens> tokens, RowSelection selection, int count, int texts) {
        boolean startsShard = !shardOpen || shardRows + count > settings.rowsPerShard();
        if (startsShard) {
            shardOpen = true;
            shardRows = 0;
        }
        Window w = new Window(nextDocument, docs, tokens, selection, count, texts, startsShard);
        shardRows += count;
        rows += count;
        nextDocument += texts;
        return w;
    }

    /** The document after the last one the windows given so far cover. */
    long nextDocument() {
        return nextDocument;
    }
}
