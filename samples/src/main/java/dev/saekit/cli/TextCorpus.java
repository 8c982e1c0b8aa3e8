package dev.saekit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The documents a text model is evaluated on: a {@code .txt} file (one document per non-blank
 * line), a {@code .jsonl} file (one JSON object per line with a {@code "text"} string), or the
 * embedded WordNet corpus ({@link EmbeddedData#wordnetDocuments()}).
 */
final class TextCorpus {
    private TextCorpus() {}

    /**
     * {@code count} documents of {@code file} (null: the embedded corpus) spread evenly over it, in
     * its order: document {@code i * total / count} for {@code i < count}; all of them if it has fewer.
     */
    static List<String> read(Path file, int count) throws IOException, CliException {
        List<String> all = file == null ? embedded() : fromFile(file);
        if (all.isEmpty()) {
            throw new CliException(SaekitCli.EXIT_INPUT, file + " holds no document");
        }
        if (all.size() <= count) {
            return all;
        }
        List<String> picked = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            picked.add(all.get((int) ((long) i * all.size() / count)));
        }
        return picked;
    }

    private static List<String> embedded() throws IOException {
        List<String> texts = new ArrayList<>();
        try (dev.saekit.onnx.text.TextCorpus.Reader r =
                dev.saekit.onnx.text.TextCorpus.embedded().open()) {
            for (dev.saekit.onnx.text.TextCorpus.Document d = r.next(); d != null; d = r.next()) {
                texts.add(d.text());
            }
        }
        return texts;
    }

    private static List<String> fromFile(Path file) throws IOException, CliException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean jsonl = name.endsWith(".jsonl");
        if (!jsonl && !name.endsWith(".txt")) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--corpus " + file + ": give a .txt file (one document per line) or a .jsonl file (one"
                            + " {\"text\": ...} object per line)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> documents = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            if (!jsonl) {
                documents.add(line.strip());
                continue;
            }
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        file + " line " + (i + 1) + ": not JSON (" + e.getOriginalMessage() + ")");
            }
            if (n == null || !n.path("text").isTextual()) {
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        file + " line " + (i + 1) + ": not an object with a \"text\" string; each line of a .jsonl"
                                + " corpus is one document, {\"text\": ...}");
            }
            documents.add(n.get("text").asText());
        }
        return documents;
    }
}
