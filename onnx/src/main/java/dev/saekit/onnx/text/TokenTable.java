package dev.saekit.onnx.text;

import dev.saekit.io.MalformedFileException;
import dev.saekit.io.Npy;
import dev.saekit.io.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * The token behind each row of a harvest: its document, its position in the tokenized document and
 * its id, from the {@code tokens/} files, with the document's text from {@code documents.jsonl}
 * (indexed when opened: 8 bytes per document) and the token strings from {@code vocab.txt}. {@link
 * #inContext} tokenizes the document again with the harvest's copy of {@code tokenizer.json}, so
 * that a row can be shown as a token in its text. One shard's table is held in memory at a time.
 */
public final class TokenTable implements AutoCloseable {
    private final HarvestDirectory harvest;
    private final long[] shardStarts; // row where each shard starts, then the total
    private final long[] documentOffsets; // byte offset of each line of documents.jsonl, then the end
    private final List<String> vocabulary;
    private TextTokenizer tokenizer;
    private int loaded = -1;
    private long[] docIds;
    private int[] positions;
    private int[] tokenIds;

    /** Row {@code row}: document {@code document} (an index into {@code documents.jsonl}), token {@code tokenId} at {@code position}. */
    public record Row(long row, long document, int position, int tokenId) {}

    /**
     * A row as a token in its document: the document, the token's string, the document's tokens as
     * the model saw them (special tokens included, truncated as harvested), and the characters of the
     * text it came from ({@code start == end} for a special token).
     */
    public record InContext(
            Row row, TextCorpus.Document document, String token, List<String> documentTokens, int start, int end) {
        public InContext {
            documentTokens = List.copyOf(documentTokens);
        }
    }

    private TokenTable(HarvestDirectory harvest, long[] shardStarts, long[] documentOffsets, List<String> vocabulary) {
        this.harvest = harvest;
        this.shardStarts = shardStarts;
        this.documentOffsets = documentOffsets;
        this.vocabulary = vocabulary;
    }

    static TokenTable open(HarvestDirectory harvest) throws IOException {
        List<HarvestState.Shard> shards = harvest.state().shards();
        long[] starts = new long[shards.size() + 1];
        for (int i = 0; i < shards.size(); i++) {
            starts[i + 1] = starts[i] + shards.get(i).rows();
        }
        Path dir = harvest.directory();
        long[] offsets = lineOffsets(
                dir.resolve(HarvestDirectory.DOCUMENTS),
                harvest.state().documents(),
                harvest.state().documentsBytes());
        List<String> vocabulary = Files.readAllLines(dir.resolve(HarvestDirectory.VOCAB), StandardCharsets.UTF_8);
        return new TokenTable(harvest, starts, offsets, vocabulary);
    }

    /** Rows in the table. */
    public long rows() {
        return shardStarts[shardStarts.length - 1];
    }

    /** Documents harvested. */
    public long documents() {
        return documentOffsets.length - 1;
    }

    /** The token strings by id, from {@code vocab.txt}. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** Document {@code index} of {@code documents.jsonl}. */
    public TextCorpus.Document document(long index) throws IOException {
        if (index < 0 || index >= documents()) {
            throw new IndexOutOfBoundsException("document " + index + " of " + documents());
        }
        Path file = harvest.directory().resolve(HarvestDirectory.DOCUMENTS);
        int length = Math.toIntExact(documentOffsets[(int) index + 1] - documentOffsets[(int) index] - 1);
        ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b, documentOffsets[(int) index] + b.position()) >= 0) {
                // read on
            }
        }
        return HarvestFiles.parseDocument(new String(b.array(), StandardCharsets.UTF_8), file, index + 1);
    }

    /** Row {@code row} of the table (and of every tap). */
    public Row row(long row) throws IOException {
        if (row < 0 || row >= rows()) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rows());
        }
        int shard = Arrays.binarySearch(shardStarts, row);
        shard = shard >= 0 ? shard : -shard - 2;
        while (shardStarts[shard + 1] == row) { // skip empty shards (none are written, but be exact)
            shard++;
        }
        load(shard);
        int i = (int) (row - shardStarts[shard]);
        return new Row(row, docIds[i], positions[i], tokenIds[i]);
    }

    /** Row {@code row} as a token in its document. */
    public InContext inContext(long row) throws IOException {
        Row r = row(row);
        TextCorpus.Document d = document(r.document());
        Tokens tokens = tokenizer().encode(d.text());
        if (r.position() >= tokens.length() || tokens.ids()[r.position()] != r.tokenId()) {
            throw new IllegalStateException("row " + row + " is token " + r.tokenId() + " at position " + r.position()
                    + " of document " + r.document() + ", but the harvest's tokenizer does not give that token there:"
                    + " the harvest directory is damaged");
        }
        return new InContext(
                r,
                d,
                r.tokenId() < vocabulary.size() ? vocabulary.get(r.tokenId()) : "",
                Arrays.asList(tokens.tokens()),
                tokens.starts()[r.position()],
                tokens.ends()[r.position()]);
    }

    private TextTokenizer tokenizer() throws IOException {
        if (tokenizer == null) {
            tokenizer = TextTokenizer.open(
                    harvest.directory().resolve(HarvestDirectory.TOKENIZER),
                    harvest.settings().maxLength());
        }
        return tokenizer;
    }

    private void load(int shard) throws IOException {
        if (loaded == shard) {
            return;
        }
        int index = harvest.state().shards().get(shard).index();
        int n = Math.toIntExact(shardStarts[shard + 1] - shardStarts[shard]);
        Path tokens = harvest.directory().resolve(HarvestDirectory.TOKENS);
        ByteBuffer d = vector(tokens.resolve(ShardWriter.tokenFile(HarvestDirectory.DOC_IDS, index)), "<i8", n);
        ByteBuffer p = vector(tokens.resolve(ShardWriter.tokenFile(HarvestDirectory.POSITIONS, index)), "<i4", n);
        ByteBuffer t = vector(tokens.resolve(ShardWriter.tokenFile(HarvestDirectory.TOKEN_IDS, index)), "<i4", n);
        docIds = new long[n];
        positions = new int[n];
        tokenIds = new int[n];
        d.asLongBuffer().get(docIds);
        p.asIntBuffer().get(positions);
        t.asIntBuffer().get(tokenIds);
        loaded = shard;
    }

    /** The data of {@code file}, a vector of {@code n} values of {@code descr}. */
    private static ByteBuffer vector(Path file, String descr, int n) throws IOException {
        NpyHeader h = Npy.header(file);
        if (!h.descr().equals(descr) || h.rank() != 1 || h.shape()[0] != n) {
            throw new MalformedFileException(
                    file.toString(),
                    "a token-table file must be " + descr + " (" + n + ",), this one is " + h.descr() + " "
                            + h.shapeText());
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(h.dataBytes())).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = ch.size() - h.dataBytes();
            while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) {
                // read on
            }
        }
        return b.flip();
    }

    /** Where each of the first {@code count} lines of {@code file} starts, then where the last ends. */
    private static long[] lineOffsets(Path file, long count, long bytes) throws IOException {
        long[] offsets = new long[Math.toIntExact(count + 1)];
        int found = 0;
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = 0;
            while (found < count && at < bytes) {
                b.clear();
                if (bytes - at < b.capacity()) {
                    b.limit((int) (bytes - at));
                }
                int n = ch.read(b, at);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n && found < count; i++) {
                    if (b.get(i) == '\n') {
                        offsets[++found] = at + i + 1;
                    }
                }
                at += n;
            }
        }
        if (found < count) {
            throw new MalformedFileException(file.toString(), "holds " + found + " documents, the harvest " + count);
        }
        return offsets;
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
