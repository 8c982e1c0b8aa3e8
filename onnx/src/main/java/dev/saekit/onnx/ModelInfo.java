package dev.saekit.onnx;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link OnnxInspector} finds in a model file: where it came from, what it takes and returns,
 * and every tensor its nodes produce (the names {@link OnnxTaps#open} accepts as taps). {@code
 * observed} says whether the shapes come from a run on sample inputs rather than from inference.
 */
public record ModelInfo(
        Path file,
        String sha256,
        long irVersion,
        String producer,
        List<String> opsets,
        List<TensorSpec> inputs,
        List<TensorSpec> outputs,
        List<Tensor> innerTensors,
        boolean observed) {
    public ModelInfo {
        opsets = List.copyOf(opsets);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        innerTensors = List.copyOf(innerTensors);
    }

    /** A tensor a node produces, with that node's operator. */
    public record Tensor(TensorSpec spec, String opType) {}
}
