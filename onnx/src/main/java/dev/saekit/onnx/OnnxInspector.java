package dev.saekit.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code saekit onnx-info} prints about a model: its inputs, outputs and every tensor its nodes
 * produce (the names {@link OnnxTaps#open} accepts as taps), with types and shapes.
 *
 * <p>Shapes come from ONNX Runtime's shape inference, with all inner tensors tapped at once; many
 * exported models lose the rank of inner tensors there (a dynamic {@code Reshape}). Given a sample
 * shape for every input, the model is instead run once on zeros of those shapes and every tensor's
 * actual shape is reported.
 */
public final class OnnxInspector {
    private OnnxInspector() {}

    /** The model in {@code file}, shapes as ONNX Runtime infers them. */
    public static ModelInfo inspect(Path file) throws IOException {
        return inspect(file, Map.of());
    }

    /**
     * The model in {@code file}; with {@code sampleShapes} (a shape for each input, all float) the
     * shapes are those of one run on zeros.
     */
    public static ModelInfo inspect(Path file, Map<String, long[]> sampleShapes) throws IOException {
        OrtSessions.ModelBytes model = OrtSessions.ModelBytes.read(file);
        OnnxGraph graph = OnnxGraph.parse(model.bytes(), file.toString());
        List<TensorSpec> inputs;
        try (OrtSession plain = OrtSessions.create(model.bytes(), file, 0)) {
            inputs = List.copyOf(OrtSessions.specs(plain.getInputInfo()).values());
        } catch (OrtException e) {
            throw OrtSessions.cannotLoad(file, e);
        }
        List<String> all = new ArrayList<>(graph.tappable());
        Map<String, TensorSpec> known =
                sampleShapes.isEmpty() ? inferred(graph, all, file) : observed(graph, all, file, inputs, sampleShapes);
        List<ModelInfo.Tensor> inner = new ArrayList<>();
        for (OnnxGraph.InnerTensor t : graph.innerTensors()) {
            TensorSpec spec = Optional.ofNullable(known.get(t.name()))
                    .or(() -> graph.declared(t.name()))
                    .orElse(TensorSpec.unknown(t.name()));
            inner.add(new ModelInfo.Tensor(spec, t.opType()));
        }
        List<TensorSpec> outputs = graph.outputs().stream()
                .map(o -> known.getOrDefault(o.name(), o))
                .toList();
        return new ModelInfo(
                file,
                model.sha256(),
                graph.irVersion(),
                graph.producer(),
                graph.opsets(),
                inputs,
                outputs,
                inner,
                !sampleShapes.isEmpty());
    }

    /** What ONNX Runtime infers for each of {@code names} when all are tapped; empty if it cannot build that session. */
    private static Map<String, TensorSpec> inferred(OnnxGraph graph, List<String> names, Path file) throws IOException {
        try (OrtSession tapped = OrtSessions.create(graph.withExtraOutputs(names), file, 0)) {
            return OrtSessions.specs(tapped.getOutputInfo());
        } catch (OrtException e) {
            return Map.of();
        }
    }

    /** The type and shape of every one of {@code names} in a run on zeros of {@code sampleShapes}. */
    private static Map<String, TensorSpec> observed(
            OnnxGraph graph, List<String> names, Path file, List<TensorSpec> inputs, Map<String, long[]> sampleShapes)
            throws IOException {
        List<String> inputNames = inputs.stream().map(TensorSpec::name).toList();
        if (!sampleShapes.keySet().equals(Set.copyOf(inputNames))) {
            throw new IllegalArgumentException("a sample shape is needed for each input of " + file.getFileName() + ": "
                    + inputs + "; was given " + sampleShapes.keySet());
        }
        for (TensorSpec in : inputs) {
            if (in.type() != ElementType.FLOAT) {
                throw new IllegalArgumentException(
                        "input " + in + " is not float; only float inputs can be sampled with zeros");
            }
        }
        OrtEnvironment env = OrtSessions.environment();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try (OrtSession tapped = OrtSessions.create(graph.withExtraOutputs(names), file, 0)) {
            for (Map.Entry<String, long[]> e : sampleShapes.entrySet()) {
                long n = Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact);
                feed.put(
                        e.getKey(),
                        OnnxTensor.createTensor(env, FloatBuffer.allocate(Math.toIntExact(n)), e.getValue()));
            }
            Map<String, TensorSpec> specs = new LinkedHashMap<>();
            try (OrtSession.Result result = tapped.run(feed)) {
                for (Map.Entry<String, OnnxValue> e : result) {
                    if (e.getValue() instanceof OnnxTensor t) {
                        specs.put(e.getKey(), OrtSessions.spec(e.getKey(), t.getInfo(), true));
                    }
                }
            }
            return specs;
        } catch (OrtException e) {
            throw new IllegalArgumentException(
                    "ONNX Runtime could not run " + file.getFileName() + " on zeros of "
                            + sampleShapes.entrySet().stream()
                                    .map(s -> s.getKey() + " " + Arrays.toString(s.getValue()))
                                    .toList()
                            + ": " + e.getMessage(),
                    e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }
}
