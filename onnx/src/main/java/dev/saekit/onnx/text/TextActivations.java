package dev.saekit.onnx.text;

import dev.saekit.onnx.FloatTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of a {@link TextModel} gives: the batch it ran on, each tap's activations by the
 * name it was asked for ({@code [B, T, C]}, padding positions included: {@link
 * TextBatch#attentionMask()} tells them apart) and the model's float outputs by name.
 */
public record TextActivations(TextBatch batch, Map<String, FloatTensor> taps, Map<String, FloatTensor> outputs) {
    public TextActivations {
        taps = Collections.unmodifiableMap(new LinkedHashMap<>(taps));
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** The activations of {@code name}, one of the taps asked for. */
    public FloatTensor tap(String name) {
        FloatTensor t = taps.get(name);
        if (t == null) {
            throw new IllegalArgumentException("'" + name + "' is not a tap of this run; they are " + taps.keySet());
        }
        return t;
    }
}
