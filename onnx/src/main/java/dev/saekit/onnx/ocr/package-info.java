/**
 * The demonstration on a real transformer: PaddleOCR's PP-OCRv4 text-line recogniser (an SVTR
 * neck with attention over the timesteps of a line, CTC head over 6,625 characters).
 *
 * <p>{@link dev.saekit.onnx.ocr.OcrModelFiles} finds the model and its character list (fetched by
 * {@code onnx/fetch-ocr-model.sh}, never committed); {@link dev.saekit.onnx.ocr.TextLines} makes
 * seeded lines of text; {@link dev.saekit.onnx.ocr.TextLineRenderer} draws them as the model's
 * input; {@link dev.saekit.onnx.ocr.CtcDecoder} reads its output; {@link
 * dev.saekit.onnx.ocr.OcrActivations} puts them together into labelled activation shards.
 */
package dev.saekit.onnx.ocr;
