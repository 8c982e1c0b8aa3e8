/**
 * An SAE measured inside the model: its reconstruction spliced in at a tapped tensor, and what the
 * model's outputs keep.
 *
 * <p>{@link dev.saekit.onnx.splice.SplicedModel} runs a model clean and with one inner tensor
 * replaced by the caller's values ({@link dev.saekit.onnx.OnnxGraph#withSplice}); feeding back
 * the clean value reproduces the clean outputs bit for bit. {@link
 * dev.saekit.onnx.splice.InModelEvaluation} runs batches ({@link dev.saekit.onnx.splice.EvalBatch})
 * clean, with an SAE's reconstruction ({@link dev.saekit.onnx.splice.RowAutoencoder}), zeroed and
 * mean-ablated, and reports ({@link dev.saekit.onnx.splice.InModelReport}) what a sentence
 * embedding or a recogniser's character distributions kept ({@link
 * dev.saekit.onnx.splice.Downstream}, {@link dev.saekit.onnx.splice.Fidelity}) and how well the
 * rows were reconstructed ({@link dev.saekit.onnx.splice.ReconstructionQuality}). {@link
 * dev.saekit.onnx.splice.MiniLm} and {@link dev.saekit.onnx.splice.DjlTokenBatcher} make the text
 * model and its token batches ({@link dev.saekit.onnx.splice.TokenBatcher}).
 */
package dev.saekit.onnx.splice;
