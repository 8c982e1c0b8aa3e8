package dev.saekit.cli;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.onnx.ocr.TextLineRenderer;
import dev.saekit.onnx.ocr.TextLines;
import dev.saekit.onnx.splice.EvalBatch;
import dev.saekit.onnx.splice.Feed;
import java.awt.image.BufferedImage;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The batches {@code saekit evaluate} runs on the recogniser: rendered text lines (a text model's are {@link dev.saekit.onnx.splice.TextEvaluation}'s). */
final class EvaluationInputs {
    /** The recogniser's lines, as {@code extract-ocr} draws them: up to 6 words and 320 pixels. */
    static final int OCR_MAX_WORDS = 6;

    static final int OCR_MAX_WIDTH = 320;

    private EvaluationInputs() {}

    /**
     * {@code lines} seeded lines of {@code words}, one line per batch (the recogniser attends across
     * a line's timesteps, so padding would change them), each with its text as the reference. The
     * lines are drawn again, the same, each time the batches are iterated.
     */
    static Iterable<EvalBatch> ocrLines(List<String> words, int lines, long seed) {
        TextLineRenderer renderer = new TextLineRenderer();
        return () -> new Iterator<>() {
            private final TextLines texts = new TextLines(words, OCR_MAX_WORDS, OCR_MAX_WIDTH, renderer::width, seed);
            private int made;

            @Override
            public boolean hasNext() {
                return made < lines;
            }

            @Override
            public EvalBatch next() {
                made++;
                String text = texts.next();
                BufferedImage image = renderer.render(text);
                FloatTensor x = TextLineRenderer.toTensor(List.of(image), image.getWidth());
                return EvalBatch.of(Map.of(OcrModelFiles.INPUT, Feed.of(x)), List.of(text));
            }
        };
    }
}
