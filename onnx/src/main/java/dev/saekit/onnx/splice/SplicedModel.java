package dev.saekit.onnx.splice;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.saekit.io.MalformedFileException;
import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.OnnxGraph;
import dev.saekit.onnx.OrtSessions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model with one splice point: an inner tensor {@code T} whose value the caller may replace.
 *
 * <p>Two ONNX Runtime sessions are open: the unmodified model with {@code T} added to its outputs
 * ({@link #clean}), and the model in which every node that reads {@code T} reads the graph input
 * {@code T__in} instead ({@link OnnxGraph#withSplice}, run by {@link #spliced}). Both compute
 * everything up to {@code T}, so that ONNX Runtime optimises both graphs alike: feeding {@code
 * T__in} the clean value of {@code T} gives the clean outputs bit for bit. Idle intra-op threads
 * sleep rather than spin ({@code session.intra_op.allow_spinning=0}).
 *
 * <p>Outputs are the model's float outputs, in its order; the model's inputs may be float32 or
 * int64 ({@link Feed}).
 */
public final class SplicedModel implements AutoCloseable {
    private final String name;
    private final String tensor;
    private final OrtSession clean;
    private final OrtSession spliced;
    private final Map<String, NodeInfo> inputs;
    private final List<String> outputs;

    private SplicedModel(String name, String tensor, OrtSession clean, OrtSession spliced) throws OrtException {
        this.name = name;
        this.tensor = tensor;
        this.clean = clean;
        this.spliced = spliced;
        this.inputs = clean.getInputInfo();
        List<String> out = new ArrayList<>();
        for (NodeInfo n : clean.getOutputInfo().values()) {
            if (!n.getName().equals(tensor) && n.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT) {
                out.add(n.getName());
            }
        }
        this.outputs = List.copyOf(out);
    }

    /** The model in {@code file}, spliced at {@code tensor}, on {@code threads} intra-op threads (0: ONNX Runtime's default). */
    public static SplicedModel open(Path file, String tensor, int threads) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such model file");
        }
        return of(bytes, file, tensor, threads);
    }

    /**
     * The model in {@code bytes} (read from {@code source}, which names it in messages and whose
     * directory holds any external weight files), spliced at {@code tensor}.
     */
    public static SplicedModel of(byte[] bytes, Path source, String tensor, int threads) throws IOException {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0: ONNX Runtime's default), was " + threads);
        }
        OnnxGraph graph = OnnxGraph.parse(bytes, source.toString());
        byte[] splicedBytes = graph.withSplice(tensor); // checks the tensor first
        OrtSession clean = null;
        try {
            clean = OrtSessions.create(graph.withExtraOutputs(List.of(tensor)), source, threads, false);
            TensorInfo tap = (TensorInfo) clean.getOutputInfo().get(tensor).getInfo();
            if (tap.type != OnnxJavaType.FLOAT) {
                throw new IllegalArgumentException("'" + tensor + "' of " + source + " is a " + tap.type
                        + " tensor; only float tensors can be spliced");
            }
            OrtSession spliced = OrtSessions.create(splicedBytes, source, threads, false);
            return new SplicedModel(source.toString(), tensor, clean, spliced);
        } catch (OrtException e) {
            close(clean);
            throw new MalformedFileException(source.toString(), "ONNX Runtime cannot load it: " + e.getMessage());
        } catch (RuntimeException e) {
            close(clean);
            throw e;
        }
    }

    /** The model's file or name. */
    public String name() {
        return name;
    }

    /** The spliced tensor {@code T}. */
    public String tensor() {
        return tensor;
    }

    /** The names of the model's inputs, in its order. */
    public List<String> inputs() {
        return List.copyOf(inputs.keySet());
    }

    /** The model's float outputs, in its order: what {@link #clean} and {@link #spliced} return. */
    public List<String> outputs() {
        return outputs;
    }

    /**
     * The shape ONNX Runtime infers for output {@code name} before any run, -1 for a dimension it
     * leaves open; an error naming the outputs if there is no such float output.
     */
    public long[] outputShape(String name) {
        if (!outputs.contains(name)) {
            throw new IllegalArgumentException(
                    this.name + " has no float output '" + name + "'; its outputs are " + outputs);
        }
        try {
            return ((TensorInfo) clean.getOutputInfo().get(name).getInfo()).getShape();
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "ONNX Runtime does not describe the outputs of " + this.name + ": " + e.getMessage(), e);
        }
    }

    /** A clean run: the value of the spliced tensor and the model's float outputs. */
    public record Clean(FloatTensor tap, Map<String, FloatTensor> outputs) {
        public Clean {
            outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        }
    }

    /** Runs the unmodified model on {@code feeds} (one per model input, by name). */
    public Clean clean(Map<String, Feed> feeds) {
        Set<String> fetch = new LinkedHashSet<>(outputs);
        fetch.add(tensor);
        Map<String, FloatTensor> out = run(clean, feeds, Map.of(), fetch);
        FloatTensor tap = out.remove(tensor);
        return new Clean(tap, out);
    }

    /**
     * Runs the model on {@code feeds} with {@code replacement} in place of the spliced tensor:
     * every node that reads it reads {@code replacement}. It must have the shape the tensor has on
     * these feeds (checked against the value the run computes there, which a replacement of
     * another shape could otherwise broadcast against).
     */
    public Map<String, FloatTensor> spliced(Map<String, Feed> feeds, FloatTensor replacement) {
        Set<String> fetch = new LinkedHashSet<>(outputs);
        fetch.add(tensor);
        Map<String, FloatTensor> out =
                run(spliced, feeds, Map.of(OnnxGraph.spliceInput(tensor), Feed.of(replacement)), fetch);
        FloatTensor computed = out.remove(tensor);
        if (!Arrays.equals(computed.shape(), replacement.shape())) {
            throw new IllegalArgumentException(
                    "the replacement of '" + tensor + "' is " + replacement.shapeText() + " but the tensor is "
                            + computed.shapeText() + " on these inputs; give a replacement of its shape");
        }
        return out;
    }

    private Map<String, FloatTensor> run(
            OrtSession session, Map<String, Feed> feeds, Map<String, Feed> extra, Set<String> fetch) {
        if (!feeds.keySet().equals(inputs.keySet())) {
            throw new IllegalArgumentException(
                    name + " takes the inputs " + inputs.keySet() + ", was given " + feeds.keySet());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment(); // made by OrtSessions
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Feed> e : feeds.entrySet()) {
                feed.put(e.getKey(), tensor(env, e.getValue()));
            }
            for (Map.Entry<String, Feed> e : extra.entrySet()) {
                feed.put(e.getKey(), tensor(env, e.getValue()));
            }
            Map<String, FloatTensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feed, fetch)) {
                for (String n : fetch) {
                    OnnxValue value = result.get(n).orElseThrow();
                    OnnxTensor t = (OnnxTensor) value;
                    FloatBuffer buf = t.getFloatBuffer();
                    float[] data = new float[buf.remaining()];
                    buf.get(data);
                    out.put(n, FloatTensor.of(data, t.getInfo().getShape()));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalArgumentException(
                    "ONNX Runtime could not run " + name + " on " + shapes(feeds) + ": " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, Feed feed) throws OrtException {
        if (feed instanceof Feed.Floats f) {
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(f.data()), f.shape());
        }
        Feed.Longs l = (Feed.Longs) feed;
        return OnnxTensor.createTensor(env, LongBuffer.wrap(l.data()), l.shape());
    }

    private static List<String> shapes(Map<String, Feed> feeds) {
        return feeds.entrySet().stream()
                .map(e -> e.getKey() + " " + Arrays.toString(e.getValue().shape()))
                .toList();
    }

    @Override
    public void close() {
        try {
            clean.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session of " + name + ": " + e.getMessage(), e);
        } finally {
            close(spliced);
        }
    }

    private static void close(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("closing an ONNX Runtime session: " + e.getMessage(), e);
            }
        }
    }
}
