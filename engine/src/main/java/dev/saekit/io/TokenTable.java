package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The token table of a harvest directory ({@code saekit harvest}): for every activation row, the
 * document it comes from, its position in that document's tokens and its token id, so that codes
 * can be read as tokens in context. Read from the files any tool can read:
 * <ul>
 *   <li>{@code tokens/doc_ids-NNNNN.npy} (int64: index into {@code documents.jsonl}),
 *       {@code tokens/positions-NNNNN.npy} and {@code tokens/token_ids-NNNNN.npy} (int32), one
 *       triple per shard, aligned row for row with shard {@code NNNNN} of every tap;</li>
 *   <li>{@code documents.jsonl}: one {@code {"id": ..., "text": ...}} per document, in harvest order;</li>
 *   <li>{@code vocab.txt}: the tokenizer's vocabulary, line {@code i} the token of id {@code i}.</li>
 * </ul>
 * The whole table is held in memory (16 bytes a row plus the documents' text): about 16 MB per
 * million tokens.
 */
public final class TokenTable {
    /** A harvested document: its id in the corpus and its text. */
    public record Document(String id, String text) {}

    /**
     * One row: the token {@code text} (id {@code tokenId}) at {@code position} of document number
     * {@code document}.
     */
    public record Token(long row, int document, int position, int tokenId, String text) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long[] docIds;
    private final int[] positions;
    private final int[] tokenIds;
    private final List<Document> documents;
    private final List<String> vocabulary;
    private final long[] firstRowOfDocument;

    private TokenTable(
            Path dir,
            long[] docIds,
            int[] positions,
            int[] tokenIds,
            List<Document> documents,
            List<String> vocabulary) {
        this.dir = dir;
        this.docIds = docIds;
        this.positions = positions;
        this.tokenIds = tokenIds;
        this.documents = documents;
        this.vocabulary = vocabulary;
        this.firstRowOfDocument = new long[documents.size() + 1];
        Arrays.fill(firstRowOfDocument, -1);
        for (int r = docIds.length - 1; r >= 0; r--) {
            firstRowOfDocument[(int) docIds[r]] = r;
        }
    }

    /** Whether {@code dir} holds a token table (its {@code tokens/} folder and {@code documents.jsonl}). */
    public static boolean isIn(Path dir) {
        return Files.isDirectory(dir.resolve("tokens")) && Files.isRegularFile(dir.resolve("documents.jsonl"));
    }

    /** The token table of the harvest directory {@code dir}; every part is checked against the others. */
    public static TokenTable open(Path dir) throws IOException {
        Path tokens = dir.resolve("tokens");
        if (!Files.isDirectory(tokens)) {
            throw new NoSuchFileException(
                    tokens.toString(), null, "no token table: " + dir + " was not written by saekit harvest");
        }
        List<Path> docFiles;
        try (Stream<Path> files = Files.list(tokens)) {
            docFiles = files.filter(p -> p.getFileName().toString().matches("doc_ids-\\d{5,}\\.npy"))
                    .sorted()
                    .toList();
        }
        List<long[]> docParts = new ArrayList<>();
        List<int[]> posParts = new ArrayList<>();
        List<int[]> idParts = new ArrayList<>();
        for (Path docFile : docFiles) {
            String shard = docFile.getFileName().toString().substring("doc_ids-".length());
            long[] d = longs(docFile);
            int[] p = ints(tokens.resolve("positions-" + shard));
            int[] t = ints(tokens.resolve("token_ids-" + shard));
            if (p.length != d.length || t.length != d.length) {
                throw new MalformedFileException(
                        docFile.toString(),
                        "has " + d.length + " rows but positions-" + shard + " has " + p.length + " and token_ids-"
                                + shard + " " + t.length + ": the table is damaged");
            }
            docParts.add(d);
            posParts.add(p);
            idParts.add(t);
        }
        List<Document> documents = documents(dir.resolve("documents.jsonl"));
        List<String> vocabulary = Files.isRegularFile(dir.resolve("vocab.txt"))
                ? Files.readAllLines(dir.resolve("vocab.txt"), StandardCharsets.UTF_8)
                : List.of();
        long[] docIds = concatLongs(docParts);
        for (int r = 0; r < docIds.length; r++) {
            if (docIds[r] < 0 || docIds[r] >= documents.size()) {
                throw new MalformedFileException(
                        tokens.toString(),
                        String.format(
                                Locale.ROOT,
                                "row %d names document %d, but documents.jsonl holds %d",
                                r,
                                docIds[r],
                                documents.size()));
            }
        }
        return new TokenTable(dir, docIds, concatInts(posParts), concatInts(idParts), documents, vocabulary);
    }

    /** The rows of the table: one per activation row of each tap. */
    public long rows() {
        return docIds.length;
    }

    /** Row {@code row}'s token. */
    public Token token(long row) {
        int r = checkRow(row);
        int id = tokenIds[r];
        return new Token(row, (int) docIds[r], positions[r], id, tokenText(id));
    }

    /** The document number {@code index} (as rows name it). */
    public Document document(int index) {
        return documents.get(index);
    }

    /** The documents harvested, in order. */
    public int documentCount() {
        return documents.size();
    }

    /**
     * The rows of document {@code index}, from its first harvested token to its last: {@code [from, to)}.
     * A document's rows are contiguous; one whose tokens were all dropped has none ({@code from == to}).
     */
    public long[] rowsOf(int index) {
        long from = firstRowOfDocument[index];
        if (from < 0) {
            return new long[] {0, 0};
        }
        long to = from;
        while (to < docIds.length && docIds[(int) to] == index) {
            to++;
        }
        return new long[] {from, to};
    }

    /** The vocabulary's string for token id {@code id}, or {@code #id} without a vocabulary. */
    public String tokenText(int id) {
        return id >= 0 && id < vocabulary.size() ? vocabulary.get(id) : "#" + id;
    }

    /** The harvest directory. */
    public Path directory() {
        return dir;
    }

    private int checkRow(long row) {
        if (row < 0 || row >= docIds.length) {
            throw new IndexOutOfBoundsException(
                    "row " + row + " is outside the token table of " + dir + " (" + docIds.length + " rows)");
        }
        return (int) row;
    }

    private static List<Document> documents(Path file) throws IOException {
        List<Document> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new MalformedFileException(
                            file + ":" + number, "is not a JSON object: " + e.getOriginalMessage());
                }
                if (node == null
                        || !node.path("id").isTextual()
                        || !node.path("text").isTextual()) {
                    throw new MalformedFileException(file + ":" + number, "needs string fields \"id\" and \"text\"");
                }
                out.add(new Document(node.get("id").asText(), node.get("text").asText()));
            }
        }
        return out;
    }

    private static long[] longs(Path file) throws IOException {
        INDArray a = Npy.read(file);
        return a.length() == 0
                ? new long[0]
                : a.castTo(DataType.LONG).reshape(a.length()).toLongVector();
    }

    private static int[] ints(Path file) throws IOException {
        INDArray a = Npy.read(file);
        return a.length() == 0
                ? new int[0]
                : a.castTo(DataType.INT).reshape(a.length()).toIntVector();
    }

    private static long[] concatLongs(List<long[]> parts) {
        long[] out =
                new long[Math.toIntExact(parts.stream().mapToLong(p -> p.length).sum())];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static int[] concatInts(List<int[]> parts) {
        int[] out =
                new int[Math.toIntExact(parts.stream().mapToLong(p -> p.length).sum())];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
