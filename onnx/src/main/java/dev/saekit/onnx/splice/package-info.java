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
 * rows were reconstructed ({@link dev.saekit.onnx.splice.ReconstructionQuality}).
 *
 * <p>{@link dev.saekit.onnx.splice.TextEvaluation} is the whole evaluation for a text model ({@link
 * dev.saekit.onnx.text.TextModel}): tap named as a harvest names it, documents batched by the
 * model's tokenizer, special tokens counted or not as a harvest keeps or drops them. {@code saekit
 * evaluate} and the Kotlin DSL call it.
 */
package dev.saekit.onnx.splice;
