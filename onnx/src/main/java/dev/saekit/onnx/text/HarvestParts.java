package dev.saekit.onnx.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The staging folder of a harvest run in parts ({@link HarvestPlan}), {@code DIR/parts/}:
 *
 * <pre>
 * parts/plan.json                  the plan: its id, settings and shard layout; written last by the driver
 * parts/documents.jsonl            every document harvested, as DIR/documents.jsonl will hold them
 * parts/vocab.txt, tokenizer.json  as DIR/ will hold them
 * parts/part-00003/                a committed part: &lt;tap&gt;/shard-*.npy, tokens/*.npy, part.json
 * parts/.part-00003.&lt;random&gt;.tmp/ a part being written (renamed to part-00003/ once whole)
 * </pre>
 */
final class HarvestParts {
    static final String STAGING = "parts";
    static final String PLAN_FILE = "plan.json";
    static final String PART_FILE = "part.json";
    static final int FORMAT_VERSION = 1;

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private HarvestParts() {}

    /** {@code parts/plan.json}: what a rerun of the driver checks its plan against. */
    record PlanFile(int formatVersion, String id, HarvestSettings settings, int parts, long documents, long rows) {}

    /**
     * {@code parts/part-00003/part.json}, written last inside the part: the plan it belongs to, the
     * taps' widths, and its shards as {@code harvest.json} will record them.
     */
    record PartFile(int formatVersion, String planId, int part, List<Integer> widths, List<HarvestState.Shard> shards) {
        PartFile {
            widths = List.copyOf(widths);
            shards = List.copyOf(shards);
        }
    }

    static Path staging(Path dir) {
        return dir.resolve(STAGING);
    }

    /** {@code part-00003}. */
    static String partName(int number) {
        return String.format(Locale.ROOT, "part-%05d", number);
    }

    static void write(Path file, Object value) throws IOException {
        AtomicFiles.writeString(file, JSON.writeValueAsString(value) + "\n");
    }

    static <T> T read(Path file, Class<T> type) throws IOException {
        T value;
        try {
            value = JSON.readValue(file.toFile(), type);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(
                    file.toString(), "not a " + file.getFileName() + " saekit reads: " + e.getOriginalMessage());
        }
        int version = value instanceof PlanFile p ? p.formatVersion() : ((PartFile) value).formatVersion();
        if (version != FORMAT_VERSION) {
            throw new MalformedFileException(
                    file.toString(),
                    "format_version " + version + " is not one this saekit reads (" + FORMAT_VERSION + ")");
        }
        return value;
    }

    /**
     * Moves {@code from} to {@code to} in one atomic rename, unless an earlier, interrupted assembly
     * moved it already ({@code from} gone, {@code to} there).
     */
    static void moveIntoPlace(Path from, Path to, String part) throws IOException {
        if (Files.exists(from)) {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else if (!Files.exists(to)) {
            throw new NoSuchFileException(
                    from.toString(),
                    null,
                    "missing from " + part + " and from the harvest directory: the part is damaged; delete "
                            + from.getParent() + " and run the part again");
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
