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
 * <p>A reader that starts at a shard boundary ({@code firstDocument} is where a shard begins, and
 * {@code rows} the rows before it) gives the windows an uninterrupted run gives from there.
 */
final class HarvestWindows {
    /**
     * One window: its documents from {@code firstDocument} on, their tokens, the rows they give, and
     * whether it begins a shard.
     */
    record Window(
            long firstDocument,
            List<TextCorpus.Document> documents,
            List<Tokens> tokens,
            RowSelection rows,
            boolean startsShard) {}

    private final HarvestSettings settings;
    private final TextTokenizer tokenizer;
    private final TextCorpus.Reader reader;
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
        this.rows = rows;
        this.nextDocument = firstDocument;
    }

    /** The next window, or null at the end of the documents or of the token budget. */
    Window next() throws IOException {
        long budget = settings.tokenBudget();
        if (budget != 0 && rows >= budget) {
            return null;
        }
        List<TextCorpus.Document> docs = new ArrayList<>(settings.window());
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
        RowSelection selection =
                RowSelection.of(tokens, settings.specialTokens(), budget == 0 ? Long.MAX_VALUE : budget - rows);
        boolean startsShard = !shardOpen || shardRows + selection.count() > settings.rowsPerShard();
        if (startsShard) {
            shardOpen = true;
            shardRows = 0;
        }
        Window w = new Window(nextDocument, docs, tokens, selection, startsShard);
        shardRows += selection.count();
        rows += selection.count();
        nextDocument += selection.texts();
        return w;
    }

    /** The document after the last one the windows given so far cover. */
    long nextDocument() {
        return nextDocument;
    }
}
