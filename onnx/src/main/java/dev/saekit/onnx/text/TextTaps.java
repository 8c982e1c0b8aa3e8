package dev.saekit.onnx.text;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.OnnxTaps;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** A session of a {@link TextModel} with some taps made visible; {@link #run} gives their activations. */
public final class TextTaps implements AutoCloseable {
    private final TextModel model;
    private final Map<String, String> tensors;
    private final OnnxTaps session;

    private TextTaps(TextModel model, Map<String, String> tensors, OnnxTaps session) {
        this.model = model;
        this.tensors = tensors;
        this.session = session;
    }

    static TextTaps open(TextModel model, Map<String, String> tensors, int threads) throws IOException {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(tensors.values()));
        return new TextTaps(
                model,
                Collections.unmodifiableMap(new LinkedHashMap<>(tensors)),
                OnnxTaps.open(model.onnxFile(), distinct, threads));
    }

    /** The taps, as named, to the tensors they stand for. */
    public Map<String, String> tensors() {
        return tensors;
    }

    /**
     * Runs the model on {@code batch} and returns each tap's activations ({@code [B, T, C]}, padding
     * positions included) and the model's float outputs, among them {@code last_hidden_state}.
     */
    public TextActivations run(TextBatch batch) {
        Map<String, FloatTensor> out = session.run(Map.of(), model.feeds(batch));
        Map<String, FloatTensor> taps = new LinkedHashMap<>();
        tensors.forEach((tap, tensor) -> taps.put(tap, out.get(tensor)));
        Map<String, FloatTensor> outputs = new LinkedHashMap<>();
        for (String name : out.keySet()) {
            if (session.graph().outputs().stream().anyMatch(o -> o.name().equals(name))) {
                outputs.put(name, out.get(name));
            }
        }
        return new TextActivations(batch, taps, outputs);
    }

    /** Seconds spent in ONNX Runtime's own forward by {@link #run} so far (see {@link OnnxTaps#sessionSeconds()}). */
    public double forwardSeconds() {
        return session.sessionSeconds();
    }

    @Override
    public void close() {
        session.close();
    }
}
