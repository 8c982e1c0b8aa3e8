package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.data.Dataset;
import java.util.List;

/**
 * What a run's data was, as checkpoints record it (their {@code data} object): enough to open the
 * same rows again ({@code saekit train --resume} does) and to refuse other data. What is not known
 * is null: a data set handed to the trainer by code knows its shape and description only.
 *
 * <pre>{@code
 * {"location": "acts/*.npz", "array": "x", "row_axes": 2, "files": ["acts/a.npz", "acts/b.npz"],
 *  "formats": ["npz"], "centred": true, "scale": 1.0, "rows": 1200, "cols": 64,
 *  "description": "acts/*.npz (2 .npz shards, array 'x'): ..."}
 * }</pre>
 *
 * @param location    the data as given: a file, a directory or a glob; null when unknown (or embedded)
 * @param array       the array chosen in a file that holds several ({@code --name}), or null
 * @param rowAxes     the leading axes that index rows, or null when unknown
 * @param files       the files read, in row order (empty when unknown)
 * @param formats     their formats ({@code npy}, {@code npz}, ...), in the order first met (empty when unknown)
 * @param centred     whether the mean row was subtracted, or null when unknown
 * @param scale       the factor every (centred) value was multiplied by, or null when unknown
 * @param rows        rows the trainer saw
 * @param cols        the width of each row
 * @param description one line for people
 */
public record DataProvenance(
        String location,
        String array,
        Integer rowAxes,
        List<String> files,
        List<String> formats,
        Boolean centred,
        Double scale,
        long rows,
        int cols,
        String description) {
    private static final JsonFields FIELDS = new JsonFields("data provenance");

    public DataProvenance {
        files = files == null ? List.of() : List.copyOf(files);
        formats = formats == null ? List.of() : List.copyOf(formats);
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("rows and cols must be >= 0, was " + rows + " x " + cols);
        }
        if (rowAxes != null && rowAxes < 1) {
            throw new IllegalArgumentException("rowAxes must be >= 1, was " + rowAxes);
        }
    }

    /**
     * What {@code data} tells of itself: its shape and description, and for shards streamed from
     * disk their files, formats and row axes.
     */
    public static DataProvenance of(Dataset data) {
        if (data instanceof ShardedDataset s) {
            return new DataProvenance(
                    null,
                    null,
                    null,
                    s.files().stream().map(Object::toString).toList(),
                    List.of(),
                    null,
                    null,
                    data.rows(),
                    data.cols(),
                    data.description());
        }
        return new DataProvenance(
                null, null, null, List.of(), List.of(), null, null, data.rows(), data.cols(), data.description());
    }

    /**
     * The rows read from {@code location} (its files and formats, the array {@code array} chosen in
     * them or null, its row axes), {@code centred} and multiplied by {@code scale}.
     */
    public static DataProvenance of(
            DataLocation location,
            String array,
            boolean centred,
            double scale,
            long rows,
            int cols,
            String description) {
        return new DataProvenance(
                location.location(),
                array,
                location.rowAxes(),
                location.arrays().stream()
                        .map(a -> a.path().toString())
                        .distinct()
                        .toList(),
                location.formats().stream().map(DataFormat::label).toList(),
                centred,
                scale,
                rows,
                cols,
                description);
    }

    /** Whether this describes rows of the shape of {@code data}. */
    public boolean matchesShape(Dataset data) {
        return rows == data.rows() && cols == data.cols();
    }

    public ObjectNode toJson() {
        ObjectNode n = ModelSpecJson.MAPPER.createObjectNode();
        n.put("location", location);
        n.put("array", array);
        n.put("row_axes", rowAxes);
        files.forEach(n.putArray("files")::add);
        formats.forEach(n.putArray("formats")::add);
        n.put("centred", centred);
        n.put("scale", scale);
        n.put("rows", rows);
        n.put("cols", cols);
        n.put("description", description);
        return n;
    }

    /** The provenance in {@code n}; an {@link IllegalArgumentException} names the bad or missing field. */
    public static DataProvenance fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("data provenance: must be an object, was " + n);
        }
        return FIELDS.build(
                "",
                () -> new DataProvenance(
                        FIELDS.optionalText(n, "", "location"),
                        FIELDS.optionalText(n, "", "array"),
                        present(n, "row_axes") ? FIELDS.integer(n, "", "row_axes") : null,
                        present(n, "files") ? FIELDS.texts(n, "", "files") : List.of(),
                        present(n, "formats") ? FIELDS.texts(n, "", "formats") : List.of(),
                        present(n, "centred") ? FIELDS.bool(n, "", "centred") : null,
                        present(n, "scale") ? FIELDS.number(n, "", "scale") : null,
                        FIELDS.longValue(n, "", "rows"),
                        FIELDS.integer(n, "", "cols"),
                        FIELDS.optionalText(n, "", "description")));
    }

    private static boolean present(JsonNode n, String name) {
        return n.hasNonNull(name);
    }
}
