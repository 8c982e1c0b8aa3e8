package dev.saekit.dashboard;

import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.onnx.text.TokenTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a harvest as tokens of their documents: the token id of each row is its label, and
 * a row is shown with up to {@code window} tokens of the same document on either side (rows of a
 * document are consecutive in a harvest; special tokens dropped at harvest time are not rows).
 * Word pieces keep the tokenizer's {@code ##} prefix, which the site uses to join them.
 */
public final class TokenContexts implements RowContexts, AutoCloseable {
    private final TokenTable table;
    private final int window;

    private TokenContexts(TokenTable table, int window) {
        this.table = table;
        this.window = window;
    }

    /** The token table of {@code harvest}, rows shown with {@code window} tokens either side. Close it when done. */
    public static TokenContexts open(HarvestDirectory harvest, int window) throws IOException {
        if (window < 0) {
            throw new IllegalArgumentException("the context window must be >= 0 tokens, was " + window);
        }
        return new TokenContexts(harvest.tokens(), window);
    }

    /** Rows in the harvest's token table. */
    public long rows() {
        return table.rows();
    }

    @Override
    public Kind kind() {
        return Kind.TOKENS;
    }

    @Override
    public int[] labels(long first, int n) throws IOException {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = table.row(first + i).tokenId();
        }
        return ids;
    }

    @Override
    public String labelText(int id) {
        List<String> vocabulary = table.vocabulary();
        return id >= 0 && id < vocabulary.size() ? vocabulary.get(id) : "[" + id + "]";
    }

    @Override
    public Window window(long row) throws IOException {
        long document = table.row(row).document();
        long first = row;
        while (first > 0 && row - first < window && table.row(first - 1).document() == document) {
            first--;
        }
        long last = row;
        while (last + 1 < table.rows()
                && last - row < window
                && table.row(last + 1).document() == document) {
            last++;
        }
        List<String> texts = new ArrayList<>((int) (last - first + 1));
        for (long r = first; r <= last; r++) {
            texts.add(labelText(table.row(r).tokenId()));
        }
        return new Window(first, last, texts, "document " + document);
    }

    @Override
    public void close() {
        table.close();
    }
}
