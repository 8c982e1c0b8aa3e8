package dev.saekit.onnx.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@code harvest.json}: a harvest's {@link HarvestSettings}, whether it is complete, each tap's row
 * width, and every finished shard. It is written atomically after each shard and is what makes the
 * shard finished: a shard file, token-table file or {@code documents.jsonl} line that it does not
 * account for is the trace of a run that stopped, and is written again on resume.
 */
public record HarvestState(
        int formatVersion, HarvestSettings settings, boolean complete, List<Integer> widths, List<Shard> shards) {
    public static final int FORMAT_VERSION = 1;
    public static final String FILE_NAME = "harvest.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public HarvestState {
        Objects.requireNonNull(settings, "settings");
        widths = List.copyOf(widths);
        shards = List.copyOf(shards);
    }

    /**
     * One finished shard: its number, the documents it covers ({@code firstDocument} up to but not
     * including {@code endDocument}, indices into {@code documents.jsonl}), its rows, the length of
     * {@code documents.jsonl} once its documents were appended, and per tap how many of its values
     * were NaN or infinite.
     */
    public record Shard(
            int index, long firstDocument, long endDocument, long rows, long documentsBytes, List<Long> nonFinite) {
        public Shard {
            nonFinite = List.copyOf(nonFinite);
        }
    }

    /** Rows in all finished shards. */
    public long rows() {
        return shards.stream().mapToLong(Shard::rows).sum();
    }

    /** The documents the finished shards cover: the index of the next document. */
    public long documents() {
        return shards.isEmpty() ? 0 : shards.get(shards.size() - 1).endDocument();
    }

    /** The length of {@code documents.jsonl} that the finished shards account for. */
    public long documentsBytes() {
        return shards.isEmpty() ? 0 : shards.get(shards.size() - 1).documentsBytes();
    }

    void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE_NAME), JSON.writeValueAsString(this) + "\n");
    }

    /** The {@code harvest.json} in {@code dir}; an unknown format version is rejected. */
    public static HarvestState read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        HarvestState s;
        try {
            s = JSON.readValue(file.toFile(), HarvestState.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(
                    file.toString(), "not a harvest.json saekit reads: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(file.toString(), e.getMessage());
        }
        if (s.formatVersion() != FORMAT_VERSION) {
            throw new MalformedFileException(
                    file.toString(),
                    "format_version " + s.formatVersion() + " is not one this saekit reads (" + FORMAT_VERSION + ")");
        }
        return s;
    }
}
