package dev.saekit.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.saekit.io.Names;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An ONNX model opened in ONNX Runtime with some of its inner tensors ("taps") made visible.
 *
 * <p>ONNX Runtime returns only a graph's declared outputs, so {@link #open} appends each tap to the
 * graph's outputs ({@link OnnxGraph#withExtraOutputs}) and creates the session from those bytes.
 * ONNX Runtime's optimisers keep graph outputs intact, so a tap holds the value the unmodified
 * model computes there. Every {@link #run} returns the taps and the model's own float outputs.
 * {@link OnnxInspector} lists the names a model accepts as taps.
 */
public final class OnnxTaps implements AutoCloseable {
    private static final int CLOSE_NAMES = 6;

    private final Path file;
    private final String sha256;
    private final OnnxGraph graph;
    private final List<String> taps;
    private final OrtSession session;
    private final Map<String, TensorSpec> inputSpecs;
    private final Map<String, TensorSpec> outputSpecs;
    private final Set<String> fetched;
    private final java.util.concurrent.atomic.LongAdder sessionNanos = new java.util.concurrent.atomic.LongAdder();

    private OnnxTaps(OrtSessions.ModelBytes model, OnnxGraph graph, List<String> taps, OrtSession session)
            throws OrtException {
        this.file = model.file();
        this.sha256 = model.sha256();
        this.graph = graph;
        this.taps = List.copyOf(taps);
        this.session = session;
        this.inputSpecs = OrtSessions.specs(session.getInputInfo());
        this.outputSpecs = OrtSessions.specs(session.getOutputInfo());
        Set<String> f = new LinkedHashSet<>(taps);
        for (TensorSpec out : outputSpecs.values()) {
            if (out.type() == ElementType.FLOAT) {
                f.add(out.name());
            }
        }
        this.fetched = f;
    }

    /** The model in {@code file} with {@code taps} (names of tensors its nodes produce) made visible. */
    public static OnnxTaps open(Path file, List<String> taps) throws IOException {
        return open(file, taps, 0);
    }

    /**
     * The model in {@code file} with {@code taps} made visible, run on {@code threads} threads (0:
     * ONNX Runtime's default, one per core; on a busy machine fewer can be faster).
     */
    public static OnnxTaps open(Path file, List<String> taps, int threads) throws IOException {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0: ONNX Runtime's default), was " + threads);
        }
        OrtSessions.ModelBytes model = OrtSessions.ModelBytes.read(file);
        OnnxGraph graph = OnnxGraph.parse(model.bytes(), file.toString());
        checkTaps(graph, taps);
        OnnxTaps opened;
        try {
            opened = new OnnxTaps(model, graph, taps, OrtSessions.create(graph.withExtraOutputs(taps), file, threads));
        } catch (OrtException e) {
            throw OrtSessions.cannotLoad(file, e);
        }
        for (String tap : taps) {
            TensorSpec spec = opened.outputSpecs.get(tap);
            if (spec.type() != ElementType.FLOAT && spec.type() != ElementType.UNDEFINED) {
                opened.close();
                throw new IllegalArgumentException(
                        "tap '" + tap + "' is a " + spec.type() + " tensor; only float tensors" + " can be extracted");
            }
        }
        return opened;
    }

    /** The model file. */
    public Path file() {
        return file;
    }

    /** The SHA-256 of the model file's bytes, lower-case hex. */
    public String sha256() {
        return sha256;
    }

    public OnnxGraph graph() {
        return graph;
    }

    /** The tapped tensor names, in the order given. */
    public List<String> taps() {
        return taps;
    }

    /** The model's inputs as ONNX Runtime sees them. */
    public List<TensorSpec> inputs() {
        return List.copyOf(inputSpecs.values());
    }

    /** The type and shape ONNX Runtime infers for {@code name} (a tap or a declared output), before any run. */
    public TensorSpec spec(String name) {
        TensorSpec spec = outputSpecs.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("'" + name + "' is neither a tap nor an output of " + file.getFileName()
                    + "; those are " + outputSpecs.keySet());
        }
        return spec;
    }

    /**
     * Runs the model on {@code inputs} (one float tensor per model input, by name) and returns every
     * tap and every float output of the model, taps first.
     */
    public Map<String, FloatTensor> run(Map<String, FloatTensor> inputs) {
        return run(inputs, Map.of());
    }

    /**
     * Runs the model on float and int64 inputs (together one tensor per model input, by name; a text
     * model's token ids and masks are int64) and returns every tap and every float output of the
     * model, taps first.
     */
    public Map<String, FloatTensor> run(Map<String, FloatTensor> inputs, Map<String, LongTensor> int64Inputs) {
        Set<String> given = new LinkedHashSet<>(inputs.keySet());
        given.addAll(int64Inputs.keySet());
        if (given.size() != inputs.size() + int64Inputs.size() || !given.equals(inputSpecs.keySet())) {
            throw new IllegalArgumentException(
                    file.getFileName() + " takes the inputs " + inputSpecs.values() + ", was given " + given);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment(); // made by open()
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, FloatTensor> e : inputs.entrySet()) {
                FloatTensor t = e.getValue();
                feed.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(t.data()), t.shape()));
            }
            for (Map.Entry<String, LongTensor> e : int64Inputs.entrySet()) {
                LongTensor t = e.getValue();
                feed.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(t.data()), t.shape()));
            }
            Map<String, FloatTensor> out = new LinkedHashMap<>();
            long start = System.nanoTime();
            OrtSession.Result ran = session.run(feed, fetched);
            sessionNanos.add(System.nanoTime() - start);
            try (OrtSession.Result result = ran) {
                for (String name : fetched) {
                    OnnxValue value = result.get(name).orElseThrow();
                    if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
                        throw new IllegalStateException("'" + name + "' of " + file.getFileName() + " is "
                                + value.getInfo() + ", not a float tensor");
                    }
                    FloatBuffer buf = tensor.getFloatBuffer();
                    float[] data = new float[buf.remaining()];
                    buf.get(data);
                    out.put(name, FloatTensor.of(data, tensor.getInfo().getShape()));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalArgumentException(
                    "ONNX Runtime could not run " + file.getFileName() + " on "
                            + Stream.concat(
                                            inputs.entrySet().stream()
                                                    .map(i -> i.getKey() + " "
                                                            + i.getValue().shapeText()),
                                            int64Inputs.entrySet().stream()
                                                    .map(i -> i.getKey() + " int64 "
                                                            + i.getValue().shapeText()))
                                    .toList()
                            + " (it takes " + inputSpecs.values() + "): " + e.getMessage(),
                    e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * The wall-clock seconds spent inside ONNX Runtime's {@code session.run} by every {@link #run} so
     * far, summed over calls: the model's own forward, without building its inputs or copying its
     * outputs out (which are the caller's cost).
     */
    public double sessionSeconds() {
        return sessionNanos.sum() / 1e9;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session of " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkTaps(OnnxGraph graph, List<String> taps) {
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("no tap given: name at least one tensor of " + graph.source());
        }
        Set<String> tappable = graph.tappable();
        Set<String> seen = new LinkedHashSet<>();
        for (String tap : taps) {
            if (!seen.add(tap)) {
                throw new IllegalArgumentException("tap '" + tap + "' is given twice");
            }
            if (!tappable.contains(tap)) {
                boolean isInput = graph.inputs().stream().anyMatch(i -> i.name().equals(tap));
                throw new IllegalArgumentException((isInput
                                ? "'" + tap + "' is an input of " + graph.source() + ", not a tensor a node computes"
                                : "no tensor named '" + tap + "' in " + graph.source())
                        + "; close names: " + String.join(", ", Names.closest(tap, tappable, CLOSE_NAMES))
                        + " (saekit onnx-info lists all " + tappable.size() + ")");
            }
        }
    }
}
