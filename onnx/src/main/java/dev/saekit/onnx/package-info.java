/**
 * Activations from any ONNX model, run with ONNX Runtime.
 *
 * <p>{@link dev.saekit.onnx.OnnxGraph} reads a model's graph (inputs, outputs, the tensors its
 * nodes produce) from the protobuf wire format without generated ONNX classes, and writes a copy
 * whose graph declares extra outputs. {@link dev.saekit.onnx.OnnxTaps} opens such a copy in ONNX
 * Runtime, so that inner tensors ("taps") come back with every run; {@link
 * dev.saekit.onnx.OnnxInspector} lists the names that can be tapped, with their shapes. {@link
 * dev.saekit.onnx.ActivationExtractor} flattens each tap to rows and writes them as {@code .npy}
 * shards described by an {@link dev.saekit.io.ActivationManifest} (in the engine, so that
 * the DSL reads extractions without ONNX Runtime on its classpath). The text-line recogniser
 * demonstration lives in {@code dev.saekit.onnx.ocr}.
 */
package dev.saekit.onnx;
