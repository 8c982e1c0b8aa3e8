package dev.saekit.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.saekit.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code manifest.json} of an extraction directory: which model, which input, and for each tap its
 * shards ({@code <directory>/shard-00000.npy}, ...: float32 matrices {@code [rows, width]}, rows in
 * input order). Written after every shard with {@code complete: false} and at the end with
 * {@code complete: true}, so a run that stops early leaves a manifest of the shards it finished.
 */
public record ActivationManifest(
        int formatVersion,
        boolean complete,
        String modelFile,
        String modelSha256,
        String input,
        long inputItems,
        int rowsPerShard,
        double seconds,
        List<Tap> taps,
        Map<String, Object> notes) {
    public static final int FORMAT_VERSION = 1;
    public static final String FILE_NAME = "manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public ActivationManifest {
        taps = List.copyOf(taps);
        notes = Collections.unmodifiableMap(new TreeMap<>(Map.copyOf(notes))); // sorted: the same notes, the same bytes
    }

    /**
     * One tapped tensor: its name in the model, the directory its shards are in (relative to the
     * manifest), the shape it had ({@code ?} where batches differed: {@code [1, ?, 120]}), the row
     * width (its last dimension), its rows and how many of its values were NaN or infinite.
     */
    public record Tap(
            String name,
            String directory,
            String tensorShape,
            int width,
            long rows,
            long nonFinite,
            List<Shard> shards) {
        public Tap {
            shards = List.copyOf(shards);
        }
    }

    /** A shard file (relative to its tap's directory) and its row count. */
    public record Shard(String file, long rows) {}

    /** Writes {@code manifest.json} into {@code dir}, atomically ({@link AtomicFiles}). */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(this) + "\n");
    }

    /** The manifest in {@code dir}; an unknown format version is rejected. */
    public static ActivationManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        ActivationManifest m = JSON.readValue(file.toFile(), ActivationManifest.class);
        if (m.formatVersion() != FORMAT_VERSION) {
            throw new IOException(file + ": format_version " + m.formatVersion() + " is not one this saekit reads ("
                    + FORMAT_VERSION + ")");
        }
        return m;
    }
}
