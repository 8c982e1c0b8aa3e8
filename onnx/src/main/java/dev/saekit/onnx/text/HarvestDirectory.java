package dev.saekit.onnx.text;

import dev.saekit.io.MalformedFileException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A harvest directory opened for reading (the layout is in {@link TokenHarvest}): its settings, its
 * taps and their shard files, and through {@link #tokens()} the token behind every row.
 *
 * <pre>{@code
 * HarvestDirectory h = HarvestDirectory.open(dir);
 * List<Path> shards = h.shards("residual:3");
 * try (TokenTable tokens = h.tokens()) {
 *     TokenTable.InContext t = tokens.inContext(12_345); // row 12,345 of every tap
 *     System.out.println(t.token() + " in " + t.document().text());
 * }
 * }</pre>
 */
public final class HarvestDirectory {
    /** The token table's directory. */
    public static final String TOKENS = "tokens";
    /** Token-table file prefixes: {@code tokens/doc_ids-00000.npy} and so on. */
    public static final String DOC_IDS = "doc_ids";

    public static final String POSITIONS = "positions";
    public static final String TOKEN_IDS = "token_ids";
    public static final String DOCUMENTS = "documents.jsonl";
    public static final String VOCAB = "vocab.txt";
    public static final String TOKENIZER = "tokenizer.json";

    private final Path dir;
    private final HarvestState state;

    private HarvestDirectory(Path dir, HarvestState state) {
        this.dir = dir;
        this.state = state;
    }

    /** The harvest in {@code dir} (its {@code harvest.json}), finished or not: only finished shards are listed. */
    public static HarvestDirectory open(Path dir) throws IOException {
        return new HarvestDirectory(dir, HarvestState.read(dir));
    }

    public Path directory() {
        return dir;
    }

    public HarvestState state() {
        return state;
    }

    public HarvestSettings settings() {
        return state.settings();
    }

    /** The taps as named when harvesting. */
    public List<String> taps() {
        return settings().taps();
    }

    /** Rows of every tap (and of the token table) in the finished shards. */
    public long rows() {
        return state.rows();
    }

    /** The shard files of {@code tap}, in row order. */
    public List<Path> shards(String tap) {
        int t = settings().taps().indexOf(tap);
        if (t < 0) {
            throw new IllegalArgumentException(
                    "'" + tap + "' is not a tap of the harvest in " + dir + "; its taps are " + taps());
        }
        Path tapDir = dir.resolve(dev.saekit.onnx.ActivationExtractor.directoryName(tap));
        List<Path> files = new ArrayList<>();
        for (HarvestState.Shard s : state.shards()) {
            files.add(tapDir.resolve(ShardWriter.shardFile(s.index())));
        }
        return files;
    }

    /**
     * The ids of the documents the finished shards cover, from {@code documents.jsonl}: what an
     * evaluation leaves out to score an SAE on text it was not trained on.
     */
    public Set<String> documentIds() throws IOException {
        Path file = dir.resolve(DOCUMENTS);
        Set<String> ids = new HashSet<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (long i = 0; i < state.documents(); i++) {
                String line = in.readLine();
                if (line == null) {
                    throw new MalformedFileException(
                            file.toString(),
                            "has " + i + " documents, but the finished shards cover " + state.documents());
                }
                ids.add(HarvestFiles.parseDocument(line, file, i + 1).id());
            }
        }
        return ids;
    }

    /** The token table: rows to documents, positions and tokens. Close it when done. */
    public TokenTable tokens() throws IOException {
        return TokenTable.open(this);
    }
}
