package dev.saekit.sweep;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@code sweep.json}: what a sweep directory holds, {@code {"format": "saekit-sweep",
 * "format_version": 1, "settings": {...}, "data": {...}, "grid": [...]}}. The settings
 * ({@link SweepSettings#toJson()}) and the data's identity (description, rows, columns, dtype,
 * centring, scale) must stay the same for a sweep to resume; the grid ({@link SweepGrid#toJson()})
 * may change.
 *
 * @param grid     the cells
 * @param settings what every cell shares
 * @param data     the data's identity
 */
public record SweepManifest(SweepGrid grid, SweepSettings settings, ObjectNode data) {
    public static final String FORMAT = "saekit-sweep";
    public static final int FORMAT_VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public SweepManifest {
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(settings, "settings");
        data = Objects.requireNonNull(data, "data").deepCopy();
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("format_version", FORMAT_VERSION);
        n.set("settings", settings.toJson());
        n.set("data", data.deepCopy());
        n.set("grid", grid.toJson());
        return n;
    }

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(toJson()) + "\n");
    }

    /** The manifest in {@code file}; a file that is not one, or of another format version, is refused. */
    public static SweepManifest read(Path file) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new MalformedFileException(file.toString(), "not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !FORMAT.equals(n.path("format").asText())) {
            throw new MalformedFileException(
                    file.toString(), "not a saekit sweep (\"format\" must be \"" + FORMAT + "\")");
        }
        if (n.path("format_version").asInt(-1) != FORMAT_VERSION) {
            throw new MalformedFileException(
                    file.toString(),
                    "sweep format version " + n.path("format_version") + " is not supported; this saekit reads version "
                            + FORMAT_VERSION);
        }
        try {
            if (!n.path("data").isObject()) {
                throw new IllegalArgumentException("data: must be an object, was " + n.get("data"));
            }
            return new SweepManifest(
                    SweepGrid.fromJson(n.get("grid")), SweepSettings.fromJson(n.get("settings")), (ObjectNode)
                            n.get("data"));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(file.toString(), e.getMessage());
        }
    }

    /**
     * Refuses to resume this recorded sweep (read from {@code file}) as {@code given}: the first
     * shared setting or data field that differs is a {@link SweepMismatchException} naming it.
     */
    public void requireResumableAs(SweepManifest given, Path file) {
        firstDifference("", settings.toJson(), given.settings.toJson(), file);
        firstDifference("data", data, given.data, file);
    }

    private static void firstDifference(String path, JsonNode recorded, JsonNode given, Path file) {
        if (recorded.isObject() && given.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            recorded.fieldNames().forEachRemaining(names::add);
            given.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                firstDifference(path.isEmpty() ? name : path + "." + name, recorded.path(name), given.path(name), file);
            }
        } else if (!sameValue(recorded, given)) {
            throw new SweepMismatchException(file.toString(), path, text(recorded), text(given));
        }
    }

    /** Equal JSON values; numbers by value (1 and 1.0 are the same setting). */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.asDouble() == b.asDouble();
        }
        return a.equals(b);
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() ? "(none)" : n.toString();
    }
}
