package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Adam;
import dev.saekit.train.Optimizer;
import dev.saekit.train.TrainingConfig;
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
 * ROOT/step-000001200/config.json  format, format_version, engine_version, created, run_id, model (spec),
 *                                  training (TrainingConfigJson), data (DataProvenance), cli (saekit train's
 *                                  own settings), progress, optimizer steps
 *                    /weights.safetensors      every parameter and buffer, by state-dict name
 *                    /optimizer.safetensors    NAME/exp_avg, NAME/exp_avg_sq (when saved with Adam)
 *                    /attachments.safetensors  extra arrays (when given)
 *                    /listeners.safetensors    NAME/ARRAY: the state of each stateful listener (AuxK's
 *                                              dead-code window and mask), for an exact resume
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
    static final String LISTENERS = "listeners.safetensors";
    static final String LATEST = "latest";
    /** Where a run directory of {@code saekit train --out} keeps checkpoints: the final model, then the periodic ones. */
    private static final List<String> RUN_CHECKPOINT_DIRS = List.of("model", "checkpoints");

    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoints() {}

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

    /**
     * What to save: the model and where training stood, and what makes the checkpoint a run that can
     * be continued: the optimiser's state, the training config, the data's provenance, the states of
     * the run's stateful listeners (by state name, see {@code TrainingContext.listenerStates()}) and
     * the run's id. Every part but the model and the progress may be null. Build it with
     * {@link #builder}.
     *
     * @param training the training config, saved as {@link TrainingConfigJson}; or null
     * @param data     the data's provenance ({@link DataProvenance#toJson()}, or what an import came from); or null
     * @param cli      settings of the program that ran the training (saekit train's checkpoint cadence, its
     *                 command line), kept as they are for that program; or null
     */
    public record State(
            SparseAutoencoder model,
            Optimizer optimizer,
            TrainingProgress progress,
            TrainingConfig training,
            JsonNode data,
            JsonNode cli,
            Map<String, INDArray> attachments,
            Map<String, Map<String, INDArray>> listenerStates,
            String runId) {

        public State {
            if (model == null || progress == null) {
                throw new IllegalArgumentException(
                        "a checkpoint needs a model and a progress, got model=" + model + ", progress=" + progress);
            }
        }

        /** A state of {@code model} at {@code progress}; the rest is set on the builder. */
        public static Builder builder(SparseAutoencoder model, TrainingProgress progress) {
            return new Builder(model, progress);
        }

        /** The optional parts of a {@link State}, each null unless set. */
        public static final class Builder {
            private final SparseAutoencoder model;
            private final TrainingProgress progress;
            private Optimizer optimizer;
            private TrainingConfig training;
            private JsonNode data;
            private JsonNode cli;
            private Map<String, INDArray> attachments;
            private Map<String, Map<String, INDArray>> listenerStates;
            private String runId;

            private Builder(SparseAutoencoder model, TrainingProgress progress) {
                this.model = model;
                this.progress = progress;
            }

            /** The optimiser whose state is saved (Adam's moments). */
            public Builder optimizer(Optimizer v) {
                optimizer = v;
                return this;
            }

            public Builder training(TrainingConfig v) {
                training = v;
                return this;
            }

            public Builder data(DataProvenance v) {
                data = v == null ? null : v.toJson();
                return this;
            }

            /** Data described otherwise (an import records where its model came from). */
            public Builder data(JsonNode v) {
                data = v;
                return this;
            }

            public Builder cli(JsonNode v) {
                cli = v;
                return this;
            }

            /** Arrays saved with the model (a data mean, ...). */
            public Builder attachments(Map<String, INDArray> v) {
                attachments = v;
                return this;
            }

            public Builder listenerStates(Map<String, Map<String, INDArray>> v) {
                listenerStates = v;
                return this;
            }

            /** The run this checkpoint belongs to; a new id when not set. */
            public Builder runId(String v) {
                runId = v;
                return this;
            }

            public State build() {
                return new State(model, optimizer, progress, training, data, cli, attachments, listenerStates, runId);
            }
        }
    }

    /** A new run id: every checkpoint of one run (and of its resumptions) carries the same one. */
    public static String newRunId() {
        return java.util.UUID.randomUUID().toString();
    }

    /**
     * Saves {@code state} as {@code root/step-N} (N = the progress's step), points {@code latest} at
     * it, and deletes the checkpoints that are provably older: those of the same run (its
     * {@code run_id}) at a smaller step, beyond the newest {@code keep} (this one included). A
     * checkpoint of another run, or of this run at a later step, is never deleted. Returns the
     * checkpoint directory.
     */
    public static Path save(Path root, State state, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, was " + keep);
        }
        Files.createDirectories(root);
        String runId = state.runId() != null ? state.runId() : newRunId();
        String name = stepDirName(state.progress().step());
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
            if (state.listenerStates() != null && !state.listenerStates().isEmpty()) {
                Map<String, INDArray> flat = new LinkedHashMap<>();
                state.listenerStates()
                        .forEach((listener, arrays) ->
                                arrays.forEach((array, a) -> flat.put(listener + "/" + array, a)));
                Safetensors.write(tmp.resolve(LISTENERS), flat, Map.of("format", FORMAT));
            }
            ObjectNode config = JSON.createObjectNode();
            config.put("format", FORMAT);
            config.put("format_version", FORMAT_VERSION);
            config.put("engine_version", engineVersion());
            config.put("created", Instant.now().toString());
            config.put("run_id", runId);
            config.set("model", ModelSpecJson.toJson(state.model().spec()));
            config.set("training", state.training() == null ? null : TrainingConfigJson.toJson(state.training()));
            config.set("data", state.data());
            if (state.cli() != null) {
                config.set("cli", state.cli());
            }
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
            deleteQuietly(tmp);
            if (replaced != null && !Files.exists(target)) {
                Files.move(replaced, target, StandardCopyOption.ATOMIC_MOVE); // the save failed: the old copy stays
            }
            if (e instanceof IOException io) {
                throw new IOException(
                        "could not write the checkpoint " + target + ": " + io.getMessage()
                                + " (the previous checkpoint, if any, is intact)",
                        io);
            }
            throw e;
        }
        if (replaced != null) {
            deleteTree(replaced);
        }
        reached(SavePoint.BEFORE_LATEST_REPLACED);
        try {
            writeLatest(root, name);
        } catch (IOException e) {
            throw new IOException("could not update " + root.resolve(LATEST) + ": " + e.getMessage(), e);
        }
        reached(SavePoint.BEFORE_PRUNE);
        prune(root, keep, runId, state.progress().step());
        return target;
    }

    /** {@code step-000001200}: the directory of the checkpoint at {@code step}. */
    public static String stepDirName(long step) {
        return String.format("step-%09d", step);
    }

    private static void writeWeights(Path file, SparseAutoencoder model) throws IOException {
        Map<String, INDArray> weights = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            weights.put(p.name(), p.value());
        }
        Safetensors.write(
                file,
                weights,
                Map.of("format", FORMAT, "variant", model.spec().variant().name()));
    }

    private static void writeLatest(Path root, String name) throws IOException {
        AtomicFiles.writeString(root.resolve(LATEST), name + "\n");
        force(root);
    }

    /**
     * Deletes the checkpoints of run {@code runId} before {@code step} beyond the newest {@code keep - 1}
     * of them (the checkpoint at {@code step} is the keep-th), and temporary directories of interrupted
     * saves. Checkpoints whose run cannot be read are kept.
     */
    private static void prune(Path root, int keep, String runId, long step) throws IOException {
        List<Path> older = new ArrayList<>();
        for (Path p : completeCheckpoints(root)) {
            if (stepOf(p) < step && runId.equals(runIdOf(p))) {
                older.add(p);
            }
        }
        for (int i = 0; i < older.size() - (keep - 1); i++) {
            deleteTree(older.get(i));
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
        return m.matches() ? parseStep(m.group(1)) : -1;
    }

    private static long parseStep(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // more digits than a long holds: no run reaches it
        }
    }

    /** The run id a checkpoint directory's config.json records, or null when it cannot be read. */
    private static String runIdOf(Path dir) {
        try {
            JsonNode id = JSON.readTree(dir.resolve(CONFIG).toFile()).get("run_id");
            return id == null || !id.isTextual() ? null : id.asText();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The checkpoint at {@code path}: a checkpoint root (its {@code latest}, else its newest
     * complete checkpoint), one {@code step-N} directory, or a run directory of
     * {@code saekit train --out} (its {@code model/}, else its {@code checkpoints/}).
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
        if (config == null
                || !config.isObject()
                || !FORMAT.equals(config.path("format").asText())) {
            throw new MalformedFileException(
                    configFile.toString(), "not a saekit checkpoint (\"format\" must be \"" + FORMAT + "\")");
        }
        int version = config.path("format_version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new MalformedFileException(
                    configFile.toString(),
                    "checkpoint format version " + config.path("format_version")
                            + " is not supported; this saekit reads version " + FORMAT_VERSION);
        }
        ModelSpec spec;
        try {
            spec = ModelSpecJson.fromJson(config.path("model"));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(configFile.toString(), e.getMessage());
        }
        Path weightsFile = dir.resolve(WEIGHTS);
        requireTensorsFit(spec, Safetensors.header(weightsFile), weightsFile, false); // before the model is allocated
        SparseAutoencoder model = spec.build();
        loadWeights(weightsFile, model);
        TrainingProgress progress = progress(configFile, config.path("progress"), dir);
        Path optimizerFile = dir.resolve(OPTIMIZER);
        boolean optimizerSaved = config.path("optimizer").path("steps").isObject()
                && config.path("optimizer").path("steps").size() > 0;
        Map<String, Checkpoint.AdamState> adam = Files.exists(optimizerFile)
                ? adamStates(optimizerFile, configFile, config.path("optimizer").path("steps"), model)
                : new HashMap<>();
        Map<String, INDArray> attachments =
                Files.exists(dir.resolve(ATTACHMENTS)) ? Safetensors.read(dir.resolve(ATTACHMENTS)) : Map.of();
        JsonNode runId = config.get("run_id");
        return new Checkpoint(
                dir,
                spec,
                model,
                progress,
                nullIfMissing(config.get("training")),
                nullIfMissing(config.get("data")),
                nullIfMissing(config.get("cli")),
                adam,
                attachments,
                listenerStates(dir.resolve(LISTENERS)),
                runId != null && runId.isTextual() ? runId.asText() : null,
                optimizerSaved && !Files.exists(optimizerFile));
    }

    /**
     * The progress {@code p} of a checkpoint in {@code dir}: non-negative integers, a step that is the
     * one the directory is named after, and a step within the epoch that does not exceed the step.
     */
    private static TrainingProgress progress(Path configFile, JsonNode p, Path dir) throws MalformedFileException {
        for (String field : new String[] {"epoch", "step_in_epoch", "step"}) {
            JsonNode v = p.get(field);
            if (v == null
                    || !v.canConvertToLong()
                    || !v.isIntegralNumber()
                    || v.asLong() < 0
                    || (!field.equals("step") && !v.canConvertToInt())) {
                throw new MalformedFileException(
                        configFile.toString(),
                        "progress." + field + " must be a count >= 0, was " + (v == null ? "missing" : v.toString())
                                + " (the file was edited or damaged; resume from another checkpoint)");
            }
        }
        TrainingProgress progress = new TrainingProgress(
                p.path("epoch").asInt(),
                p.path("step_in_epoch").asInt(),
                p.path("step").asLong());
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        if (m.matches() && parseStep(m.group(1)) != progress.step()) {
            throw new MalformedFileException(
                    configFile.toString(),
                    "progress.step is " + progress.step() + " but the checkpoint's " + "directory is "
                            + dir.getFileName()
                            + " (the file was edited or belongs elsewhere; resume from another checkpoint)");
        }
        if (progress.stepInEpoch() > progress.step()) {
            throw new MalformedFileException(
                    configFile.toString(),
                    "progress.step_in_epoch " + progress.stepInEpoch() + " is more than progress.step "
                            + progress.step());
        }
        return progress;
    }

    /**
     * Adam's state of each parameter that {@code steps} names, from {@code file}, checked against the
     * model: a moment of another shape means the file belongs to another model.
     */
    private static Map<String, Checkpoint.AdamState> adamStates(
            Path file, Path configFile, JsonNode steps, SparseAutoencoder model) throws IOException {
        SafetensorsFile f = Safetensors.header(file);
        Map<String, Checkpoint.AdamState> adam = new HashMap<>();
        for (Parameter param : model.parameters()) {
            JsonNode step = steps.get(param.name());
            if (step == null) {
                continue;
            }
            if (!step.canConvertToLong() || step.asLong() < 0) {
                throw new MalformedFileException(
                        configFile.toString(),
                        "optimizer.steps." + param.name() + " must be a count >= 0, was " + step);
            }
            INDArray[] moments = new INDArray[2];
            String[] names = {param.name() + "/exp_avg", param.name() + "/exp_avg_sq"};
            for (int i = 0; i < 2; i++) {
                TensorEntry e = f.tensors().get(names[i]);
                if (e == null) {
                    throw new MalformedFileException(
                            file.toString(),
                            "has no tensor '" + names[i] + "' for the parameter '" + param.name()
                                    + "' (the file belongs to another model or run; restore this checkpoint's own file)");
                }
                if (!java.util.Arrays.equals(e.shape(), param.value().shape())) {
                    throw new MalformedFileException(
                            file.toString(),
                            "'" + names[i] + "' has shape " + java.util.Arrays.toString(e.shape())
                                    + " but the parameter is "
                                    + java.util.Arrays.toString(param.value().shape())
                                    + ": the file belongs to another model; restore this checkpoint's own file");
                }
                moments[i] = f.read(names[i], param.dtype());
            }
            adam.put(param.name(), new Checkpoint.AdamState(step.asLong(), moments[0], moments[1]));
        }
        return adam;
    }

    /** The listener states of {@code file} ({@code LISTENER/ARRAY} tensors), by listener; empty when there is no file. */
    private static Map<String, Map<String, INDArray>> listenerStates(Path file) throws IOException {
        Map<String, Map<String, INDArray>> states = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return states;
        }
        for (Map.Entry<String, INDArray> e : Safetensors.read(file).entrySet()) {
            int slash = e.getKey().lastIndexOf('/');
            if (slash <= 0 || slash == e.getKey().length() - 1) {
                throw new MalformedFileException(
                        file.toString(), "tensor '" + e.getKey() + "' is not named LISTENER/ARRAY");
            }
            states.computeIfAbsent(e.getKey().substring(0, slash), k -> new LinkedHashMap<>())
                    .put(e.getKey().substring(slash + 1), e.getValue());
        }
        return states;
    }

    private static JsonNode nullIfMissing(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static Path resolve(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve(CONFIG))) {
            return path;
        }
        if (!Files.isDirectory(path)) {
            throw new java.nio.file.NoSuchFileException(
                    path.toString(),
                    null,
                    Files.exists(path)
                            ? "not a checkpoint (a checkpoint is a directory: a run of `saekit train --out`, its model/ or a step-N)"
                            : "no such file or directory");
        }
        Path latest = path.resolve(LATEST);
        List<Path> complete = completeCheckpoints(path);
        if (complete.isEmpty()
                && !Files.exists(latest)) { // a run directory of `train --out`: its model, else its checkpoints
            for (String inner : RUN_CHECKPOINT_DIRS) {
                if (Files.isDirectory(path.resolve(inner))) {
                    return resolve(path.resolve(inner));
                }
            }
        }
        if (Files.isRegularFile(latest)) {
            String name = latestName(latest);
            if (name == null || !STEP_DIR.matcher(name).matches()) {
                throw new MalformedFileException(
                        latest.toString(),
                        "does not name a checkpoint (it must hold one line step-NNNNNNNNN; "
                                + "it was edited or damaged): delete it to load the newest complete checkpoint"
                                + (complete.isEmpty()
                                        ? ""
                                        : ", "
                                                + complete.get(complete.size() - 1)
                                                        .getFileName()));
            }
            if (Files.isRegularFile(path.resolve(name).resolve(CONFIG))) {
                return path.resolve(name);
            }
            // a save of that same step was interrupted while its old copy was moved aside: the newest complete one
        }
        if (complete.isEmpty()) {
            throw new java.nio.file.NoSuchFileException(
                    path.toString(), null, "no complete checkpoint in this directory (expected step-N/" + CONFIG + ")");
        }
        return complete.get(complete.size() - 1);
    }

    /** The name in a {@code latest} file, or null when it is not short UTF-8 text. */
    private static String latestName(Path latest) throws IOException {
        if (Files.size(latest) > 256) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(latest)))
                    .toString()
                    .trim();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Checks, before a model of {@code spec} is allocated, that {@code f} holds a tensor of the right
     * shape for each of its parameters (buffers may be missing when {@code buffersOptional}) and no
     * other: a config that claims a model far larger than its weights (a hand-edited size) is refused
     * here, not after gigabytes are allocated.
     */
    static void requireTensorsFit(ModelSpec spec, SafetensorsFile f, Path file, boolean buffersOptional)
            throws MalformedFileException {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (dev.saekit.model.ParameterShape p : spec.parameterShapes()) {
            names.add(p.name());
            TensorEntry e = f.tensors().get(p.name());
            if (e == null) {
                if (buffersOptional && !p.trainable()) {
                    continue;
                }
                throw new MalformedFileException(
                        file.toString(),
                        "has no tensor '" + p.name() + "' that the "
                                + spec.variant().name() + " model needs");
            }
            if (!java.util.Arrays.equals(e.shape(), p.shape())) {
                throw new MalformedFileException(
                        file.toString(),
                        "'" + p.name() + "' has shape " + java.util.Arrays.toString(e.shape())
                                + " but the model it is said to hold ("
                                + spec.sae().inputDim() + " inputs, "
                                + spec.sae().nbConcepts()
                                + " concepts) needs " + java.util.Arrays.toString(p.shape())
                                + ": the weights and the model's description disagree");
            }
        }
        for (String name : f.tensors().keySet()) {
            if (!names.contains(name)) {
                throw new MalformedFileException(
                        file.toString(),
                        "has a tensor '" + name + "' that the " + spec.variant().name() + " model does not have");
            }
        }
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
                throw new MalformedFileException(
                        file.toString(),
                        "has no tensor '" + p.name() + "' that the "
                                + model.spec().variant().name() + " model needs");
            }
            INDArray value;
            if (p.value().dataType() == DataType.LONG) {
                long[] longs = f.readLongs(p.name());
                value = p.value().rank() == 0
                        ? Nd4j.scalar(DataType.LONG, longs[0])
                        : Nd4j.createFromArray(longs).reshape(p.value().shape());
            } else {
                value = f.read(p.name(), p.dtype());
                if (!(unsetBuffer(p) && value.length() == 1 && Double.isNaN(value.getDouble(0)))) {
                    requireFinite(
                            value, p.name(), file); // an unset buffer (BatchTopK's threshold before training) stays NaN
                }
            }
            try {
                p.assign(value);
            } catch (IllegalArgumentException e) {
                throw new MalformedFileException(file.toString(), e.getMessage());
            }
        }
        for (String name : f.tensors().keySet()) {
            if (model.parameter(name).isEmpty()) {
                throw new MalformedFileException(
                        file.toString(),
                        "has a tensor '" + name + "' that the "
                                + model.spec().variant().name() + " model does not have");
            }
        }
    }

    /** Whether {@code p} is a one-value buffer whose NaN means "not set yet", as a fresh model holds it. */
    private static boolean unsetBuffer(Parameter p) {
        return !p.isTrainable()
                && p.value().length() == 1
                && Double.isNaN(p.value().getDouble(0));
    }

    /**
     * Refuses a weight array with a NaN or an infinity, naming the tensor, the index and the value: a
     * model loaded with one would give NaN codes (and report them as zero activity).
     */
    static void requireFinite(INDArray value, String name, Path file) throws MalformedFileException {
        long at = dev.saekit.tensor.Tensors.firstNonFiniteIfAny(value);
        if (at >= 0) {
            long[] index = org.nd4j.linalg.api.shape.Shape.ind2subC(value.shape(), at);
            throw new MalformedFileException(
                    file.toString(),
                    "'" + name + "' holds " + value.dup('c').getDouble(at) + " at "
                            + java.util.Arrays.toString(index)
                            + "; saekit refuses weights that are not finite (the file is damaged, "
                            + "or the run that wrote it diverged)");
        }
    }

    static String engineVersion() {
        String v = Checkpoints.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    private static void force(Path path) throws IOException {
        try (FileChannel ch =
                FileChannel.open(path, Files.isDirectory(path) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(path)) {
                throw e; // some file systems cannot sync a directory; a file must be synced
            }
        }
    }

    /** {@link #deleteTree}, keeping the error that led here rather than one from the clean-up. */
    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException ignored) {
            // the temporary directory is removed by the next save's prune
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
