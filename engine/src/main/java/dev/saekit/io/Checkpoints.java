package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Adam;
import dev.saekit.train.Optimizer;
import dev.saekit.train.TrainingProgress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Versioned checkpoints that survive crashes. A checkpoint ROOT holds one directory per saved
 * step and a {@code latest} file naming the newest:
 *
 * <pre>
 * ROOT/latest                      "step-000001200"
 * ROOT/step-000001200/config.json  format, format_version, engine_version, model (spec), training,
 *                                  data, progress, optimizer steps, created
 *                    /weights.safetensors      every parameter and buffer, by state-dict name
 *                    /optimizer.safetensors    NAME/exp_avg, NAME/exp_avg_sq (when saved with Adam)
 *                    /attachments.safetensors  extra arrays (when given)
 * </pre>
 *
 * <p>Saving writes a hidden temporary directory, forces every file to disk, renames the directory
 * into place, then replaces {@code latest} by an atomic rename: a crash or kill at any moment leaves
 * the previous complete checkpoint readable. Loading follows {@code latest}, or falls back to the
 * newest complete {@code step-N} directory. Only data is read (JSON and safetensors, no Java
 * deserialisation); an unknown format version is refused with a clear error.
 */
public final class Checkpoints {
    public static final String FORMAT = "saekit-checkpoint";
    public static final int FORMAT_VERSION = 1;
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String ATTACHMENTS = "attachments.safetensors";
    static final String LATEST = "latest";
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoints() {
    }

    /** Moments inside {@link #save} at which a test can hold the saving thread, through {@link #pauseHook}. */
    enum SavePoint {
        /** The weights are in the hidden temporary directory, its config.json is not yet written. */
        WEIGHTS_WRITTEN,
        /** The temporary directory is complete and synced, not yet renamed into place. */
        BEFORE_DIRECTORY_RENAME,
        /** Saving a step that exists: the old copy is renamed aside, the new one not yet in place. */
        OLD_STEP_MOVED_ASIDE,
        /** The step directory is in place; {@code latest} still names the previous checkpoint. */
        BEFORE_LATEST_REPLACED,
        /** {@code latest} names the new checkpoint; those beyond {@code keep} are not yet deleted. */
        BEFORE_PRUNE
    }

    /**
     * For crash tests only: called by the saving thread at each {@link SavePoint}. Null, and never
     * called, unless a test sets it.
     */
    static volatile Consumer<SavePoint> pauseHook;

    private static void reached(SavePoint point) {
        Consumer<SavePoint> hook = pauseHook;
        if (hook != null) {
            hook.accept(point);
        }
    }

    /** What to save. {@code optimizer}, {@code training}, {@code data} and {@code attachments} may be null. */
    public record State(SparseAutoencoder model, Optimizer optimizer, TrainingProgress progress, JsonNode training,
                        JsonNode data, Map<String, INDArray> attachments) {
    }

    /**
     * Saves {@code state} as {@code root/step-N} (N = the progress's step), points {@code latest} at
     * it, and deletes all but the newest {@code keep} checkpoints. Returns the checkpoint directory.
     */
    public static Path save(Path root, State state, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, was " + keep);
        }
        Files.createDirectories(root);
        String name = String.format("step-%09d", state.progress().step());
        Path target = root.resolve(name);
        Path tmp = Files.createTempDirectory(root, "." + name + ".tmp-");
        Path replaced = null;
        try {
            Map<String, Long> adamSteps = new LinkedHashMap<>();
            writeWeights(tmp.resolve(WEIGHTS), state.model());
            reached(SavePoint.WEIGHTS_WRITTEN);
            if (state.optimizer() instanceof Adam adam) {
                Map<String, INDArray> moments = new LinkedHashMap<>();
                for (Parameter p : state.model().parameters()) {
                    Adam.State s = p.isTrainable() ? adam.state(p) : null;
                    if (s != null) {
                        moments.put(p.name() + "/exp_avg", s.expAvg());
                        moments.put(p.name() + "/exp_avg_sq", s.expAvgSq());
                        adamSteps.put(p.name(), s.step());
                    }
                }
                Safetensors.write(tmp.resolve(OPTIMIZER), moments, Map.of("format", FORMAT));
            }
            if (state.attachments() != null && !state.attachments().isEmpty()) {
                Safetensors.write(tmp.resolve(ATTACHMENTS), state.attachments(), Map.of("format", FORMAT));
            }
            ObjectNode config = JSON.createObjectNode();
            config.put("format", FORMAT);
            config.put("format_version", FORMAT_VERSION);
            config.put("engine_version", engineVersion());
            config.put("created", Instant.now().toString());
            config.set("model", ModelSpecJson.toJson(state.model().spec()));
            config.set("training", state.training());
            config.set("data", state.data());
            ObjectNode progress = config.putObject("progress");
            progress.put("epoch", state.progress().epoch());
            progress.put("step_in_epoch", state.progress().stepInEpoch());
            progress.put("step", state.progress().step());
            if (state.optimizer() != null) {
                ObjectNode opt = config.putObject("optimizer");
                opt.put("kind", state.optimizer().config().kind().toString());
                ObjectNode steps = opt.putObject("steps");
                adamSteps.forEach(steps::put);
            }
            Path configFile = tmp.resolve(CONFIG);
            Files.write(configFile, JSON.writeValueAsBytes(config));
            force(configFile);
            force(tmp);
            reached(SavePoint.BEFORE_DIRECTORY_RENAME);
            if (Files.exists(target)) {
                // the same step saved again: move the old copy aside in one rename, so that no half-deleted
                // step directory is ever visible (a leftover is pruned like a temporary directory)
                replaced = root.resolve(tmp.getFileName() + "-replaced");
                Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
                reached(SavePoint.OLD_STEP_MOVED_ASIDE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            if (replaced != null && !Files.exists(target)) {
                Files.move(replaced, target, StandardCopyOption.ATOMIC_MOVE); // the save failed: the old copy stays
            }
            throw e;
        }
        if (replaced != null) {
            deleteTree(replaced);
        }
        reached(SavePoint.BEFORE_LATEST_REPLACED);
        writeLatest(root, name);
        reached(SavePoint.BEFORE_PRUNE);
        prune(root, keep);
        return target;
    }

    private static void writeWeights(Path file, SparseAutoencoder model) throws IOException {
        Map<String, INDArray> weights = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            weights.put(p.name(), p.value());
        }
        Safetensors.write(file, weights, Map.of("format", FORMAT, "variant", model.variant()));
    }

    private static void writeLatest(Path root, String name) throws IOException {
        Path tmp = Files.createTempFile(root, ".latest.", ".tmp");
        try {
            Files.write(tmp, (name + "\n").getBytes(StandardCharsets.UTF_8));
            force(tmp);
            Files.move(tmp, root.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        force(root);
    }

    /** Deletes old checkpoints beyond the newest {@code keep}, and temporary directories of interrupted saves. */
    private static void prune(Path root, int keep) throws IOException {
        List<Path> complete = completeCheckpoints(root);
        for (int i = 0; i < complete.size() - keep; i++) {
            deleteTree(complete.get(i));
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, ".step-*.tmp-*")) {
            for (Path p : s) {
                deleteTree(p);
            }
        }
    }

    /** Complete checkpoint directories of {@code root}, oldest first. */
    static List<Path> completeCheckpoints(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root)) {
            for (Path p : s) {
                if (STEP_DIR.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve(CONFIG))) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(Checkpoints::stepOf));
        return out;
    }

    private static long stepOf(Path dir) {
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * The checkpoint at {@code path}: a checkpoint root (its {@code latest}, else its newest
     * complete checkpoint) or one {@code step-N} directory.
     */
    public static Checkpoint load(Path path) throws IOException {
        Path dir = resolve(path);
        Path configFile = dir.resolve(CONFIG);
        JsonNode config;
        try {
            config = JSON.readTree(configFile.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(configFile.toString(), "not valid JSON: " + e.getOriginalMessage());
        }
        if (config == null || !config.isObject() || !FORMAT.equals(config.path("format").asText())) {
            throw new MalformedFileException(configFile.toString(), "not a saekit checkpoint (\"format\" must be \"" + FORMAT + "\")");
        }
        int version = config.path("format_version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new MalformedFileException(configFile.toString(), "checkpoint format version " + config.path("format_version")
                    + " is not supported; this saekit reads version " + FORMAT_VERSION);
        }
        ModelSpec spec;
        try {
            spec = ModelSpecJson.fromJson(config.path("model"));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(configFile.toString(), e.getMessage());
        }
        SparseAutoencoder model = spec.build();
        loadWeights(dir.resolve(WEIGHTS), model);
        JsonNode p = config.path("progress");
        TrainingProgress progress;
        try {
            progress = new TrainingProgress(p.path("epoch").asInt(), p.path("step_in_epoch").asInt(), p.path("step").asLong());
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(configFile.toString(), e.getMessage());
        }
        Map<String, Checkpoint.AdamState> adam = new HashMap<>();
        Path optimizerFile = dir.resolve(OPTIMIZER);
        if (Files.exists(optimizerFile)) {
            SafetensorsFile f = Safetensors.header(optimizerFile);
            JsonNode steps = config.path("optimizer").path("steps");
            for (Parameter param : model.parameters()) {
                JsonNode step = steps.get(param.name());
                if (step != null) {
                    adam.put(param.name(), new Checkpoint.AdamState(step.asLong(),
                            f.read(param.name() + "/exp_avg", param.dtype()), f.read(param.name() + "/exp_avg_sq", param.dtype())));
                }
            }
        }
        Map<String, INDArray> attachments = Files.exists(dir.resolve(ATTACHMENTS))
                ? Safetensors.read(dir.resolve(ATTACHMENTS)) : Map.of();
        return new Checkpoint(dir, spec, model, progress, nullIfMissing(config.get("training")), nullIfMissing(config.get("data")),
                adam, attachments);
    }

    private static JsonNode nullIfMissing(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static Path resolve(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve(CONFIG))) {
            return path;
        }
        if (!Files.isDirectory(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no checkpoint here (not a directory)");
        }
        Path latest = path.resolve(LATEST);
        if (Files.isRegularFile(latest)) {
            String name = Files.readString(latest, StandardCharsets.UTF_8).trim();
            if (STEP_DIR.matcher(name).matches() && Files.isRegularFile(path.resolve(name).resolve(CONFIG))) {
                return path.resolve(name);
            }
        }
        List<Path> complete = completeCheckpoints(path);
        if (complete.isEmpty()) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null,
                    "no complete checkpoint in this directory (expected step-N/" + CONFIG + ")");
        }
        return complete.get(complete.size() - 1);
    }

    /** Loads {@code file}'s tensors into the model's parameters, by name; every parameter must be there, with its shape. */
    static void loadWeights(Path file, SparseAutoencoder model) throws IOException {
        loadWeights(file, model, false);
    }

    /**
     * Loads {@code file}'s tensors into the model's parameters, by name and shape. Every trainable
     * parameter must be there; buffers may be missing when {@code buffersOptional} (files of other
     * tools lack saekit's own buffers) and keep their current values. A tensor the model does not
     * have is an error.
     */
    static void loadWeights(Path file, SparseAutoencoder model, boolean buffersOptional) throws IOException {
        SafetensorsFile f = Safetensors.header(file);
        for (Parameter p : model.parameters()) {
            if (!f.tensors().containsKey(p.name()) && buffersOptional && !p.isTrainable()) {
                continue;
            }
            if (!f.tensors().containsKey(p.name())) {
                throw new MalformedFileException(file.toString(), "has no tensor '" + p.name() + "' that the "
                        + model.variant() + " model needs");
            }
            INDArray value;
            if (p.value().dataType() == DataType.LONG) {
                long[] longs = f.readLongs(p.name());
                value = p.value().rank() == 0 ? Nd4j.scalar(DataType.LONG, longs[0])
                        : Nd4j.createFromArray(longs).reshape(p.value().shape());
            } else {
                value = f.read(p.name(), p.dtype());
            }
            try {
                p.assign(value);
            } catch (IllegalArgumentException e) {
                throw new MalformedFileException(file.toString(), e.getMessage());
            }
        }
        for (String name : f.tensors().keySet()) {
            if (model.parameter(name).isEmpty()) {
                throw new MalformedFileException(file.toString(), "has a tensor '" + name + "' that the " + model.variant()
                        + " model does not have");
            }
        }
    }

    static String engineVersion() {
        String v = Checkpoints.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    private static void force(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, Files.isDirectory(path) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(path)) {
                throw e; // some file systems cannot sync a directory; a file must be synced
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
