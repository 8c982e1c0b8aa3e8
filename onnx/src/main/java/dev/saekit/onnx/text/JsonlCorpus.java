package dev.saekit.onnx.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A JSON Lines file: one object {@code {"id": ..., "text": ...}} per line. The text must be a
 * string; the id a string or a number, or absent, when the line number is the id. Blank lines are
 * skipped; other keys are ignored.
 */
final class JsonlCorpus implements TextCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    JsonlCorpus(Path file) {
        this.file = file;
    }

    @Override
    public String description() {
        return "JSON Lines " + file;
    }

    @Override
    public Reader open() throws IOException {
        NumberedLines lines = NumberedLines.of(file);
        return new Reader() {
            @Override
            public Document next() throws IOException {
                String line;
                while ((line = lines.next()) != null) {
                    if (!line.isBlank()) {
                        return parse(lines, line);
                    }
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    private static Document parse(NumberedLines lines, String line) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw lines.error("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (n == null || !n.isObject()) {
            throw lines.error("not a JSON object; each line must be {\"id\": ..., \"text\": ...}");
        }
        JsonNode text = n.get("text");
        if (text == null || !text.isTextual()) {
            throw lines.error("no \"text\" string; each line must be {\"id\": ..., \"text\": ...}");
        }
        JsonNode id = n.get("id");
        if (id != null && !id.isNull() && !id.isTextual() && !id.isIntegralNumber()) {
            throw lines.error("\"id\" must be a string or a whole number, was " + id.getNodeType());
        }
        String name = id == null || id.isNull() ? Long.toString(lines.number()) : id.asText();
        return new Document(name, text.asText());
    }
}
