package dev.saekit.onnx.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One shard of a harvest being written: a float32 file per tap, the three token-table files, and
 * the {@code documents.jsonl} lines of the documents it covers. {@link #commit} moves the files into
 * place, appends the lines and returns the shard's record for {@code harvest.json}; closing it
 * uncommitted deletes the temporary files.
 */
final class ShardWriter implements AutoCloseable {
    private final int index;
    private final long firstDocument;
    private final List<NpyAppender> taps = new ArrayList<>();
    private final NpyAppender docIds;
    private final NpyAppender positions;
    private final NpyAppender tokenIds;
    private final long[] nonFinite;
    private final StringBuilder documents = new StringBuilder();
    private long endDocument;

    ShardWriter(Path dir, List<String> tapDirectories, int[] widths, int index, long firstDocument) throws IOException {
        this.index = index;
        this.firstDocument = firstDocument;
        this.endDocument = firstDocument;
        this.nonFinite = new long[widths.length];
        try {
            for (int t = 0; t < widths.length; t++) {
                taps.add(NpyAppender.floats(dir.resolve(tapDirectories.get(t)).resolve(shardFile(index)), widths[t]));
            }
            Path tokens = dir.resolve(HarvestDirectory.TOKENS);
            docIds = NpyAppender.longs(tokens.resolve(tokenFile(HarvestDirectory.DOC_IDS, index)));
            positions = NpyAppender.ints(tokens.resolve(tokenFile(HarvestDirectory.POSITIONS, index)));
            tokenIds = NpyAppender.ints(tokens.resolve(tokenFile(HarvestDirectory.TOKEN_IDS, index)));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code shard-00000.npy}. */
    static String shardFile(int index) {
        return String.format(Locale.ROOT, "shard-%05d.npy", index);
    }

    /** {@code doc_ids-00000.npy}. */
    static String tokenFile(String kind, int index) {
        return String.format(Locale.ROOT, "%s-%05d.npy", kind, index);
    }

    /** Appends {@code n} rows of tap {@code tap}, counting the values that are NaN or infinite. */
    void appendTap(int tap, float[] rows, int n, long nonFiniteValues) throws IOException {
        taps.get(tap).append(rows, n);
        nonFinite[tap] += nonFiniteValues;
    }

    /** Appends {@code n} rows of the token table. */
    void appendTokens(long[] documentIndices, int[] tokenPositions, int[] ids, int n) throws IOException {
        docIds.append(documentIndices, n);
        positions.append(tokenPositions, n);
        tokenIds.append(ids, n);
    }

    /** Adds the next document's {@code documents.jsonl} line (without its line break). */
    void addDocument(String jsonLine) {
        documents.append(jsonLine).append('\n');
        endDocument++;
    }

    long rows() {
        return docIds.rows();
    }

    /**
     * Moves the shard's files into place and appends its documents to {@code documentsFile} (which
     * must be {@code documentsBytes} long), forced to disk; returns the shard's record.
     */
    HarvestState.Shard commit(Path documentsFile) throws IOException {
        for (NpyAppender a : taps) {
            a.commit();
        }
        docIds.commit();
        positions.commit();
        tokenIds.commit();
        long size;
        try (FileChannel ch = FileChannel.open(documentsFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(documents.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
            size = ch.size();
        }
        List<Long> counts = new ArrayList<>();
        for (long c : nonFinite) {
            counts.add(c);
        }
        return new HarvestState.Shard(index, firstDocument, endDocument, rows(), size, counts);
    }

    @Override
    public void close() throws IOException {
        for (NpyAppender a : taps) {
            a.close();
        }
        for (NpyAppender a : new NpyAppender[] {docIds, positions, tokenIds}) {
            if (a != null) {
                a.close();
            }
        }
    }
}
