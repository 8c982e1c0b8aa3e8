package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The JSON configs of other libraries' SAE directories: parsed, and their fields checked, with errors naming the file. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** The JSON object in {@code file}; a missing file or invalid JSON is one clear error. */
    static JsonNode read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "missing: the directory has no " + file.getFileName());
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(file.toString(), "not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new MalformedFileException(file.toString(), "not a JSON object");
        }
        return n;
    }

    static String text(JsonNode n, String field, Path file) throws MalformedFileException {
        JsonNode f = n.get(field);
        if (f == null || !f.isTextual()) {
            throw new MalformedFileException(file.toString(), "missing or non-text field '" + field + "'");
        }
        return f.asText();
    }

    static int positive(JsonNode n, String field, Path file) throws MalformedFileException {
        JsonNode f = n.get(field);
        if (f == null || !f.isIntegralNumber() || !f.canConvertToInt() || f.asInt() <= 0) {
            throw new MalformedFileException(
                    file.toString(), "field '" + field + "' must be a positive integer, was " + f);
        }
        return f.asInt();
    }

    static boolean bool(JsonNode n, String field, boolean fallback, Path file) throws MalformedFileException {
        JsonNode f = n.get(field);
        if (f == null || f.isNull()) {
            return fallback;
        }
        if (!f.isBoolean()) {
            throw new MalformedFileException(file.toString(), "field '" + field + "' must be true or false, was " + f);
        }
        return f.asBoolean();
    }
}
