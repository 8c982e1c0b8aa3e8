package dev.saekit.cli;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.onnx.ocr.TextLineRenderer;
import dev.saekit.onnx.ocr.TextLines;
import dev.saekit.onnx.splice.EvalBatch;
import dev.saekit.onnx.splice.Feed;
import dev.saekit.onnx.splice.TokenBatch;
import dev.saekit.onnx.splice.TokenBatcher;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The batches {@code saekit evaluate} runs: rendered text lines for the recogniser, token batches for a text model. */
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

    /**
     * {@code documents} in batches of {@code batch}, tokenized, with the attention mask as the token
     * mask; the feeds are those of {@code modelInputs} (a model without token types is fed none).
     */
    static List<EvalBatch> textBatches(
            TokenBatcher tokenizer, List<String> documents, int batch, Set<String> modelInputs) {
        List<EvalBatch> batches = new ArrayList<>();
        for (int start = 0; start < documents.size(); start += batch) {
            TokenBatch tokens = tokenizer.batch(documents.subList(start, Math.min(documents.size(), start + batch)));
            Map<String, Feed> feeds = new LinkedHashMap<>(tokens.feeds());
            feeds.keySet().retainAll(modelInputs);
            batches.add(new EvalBatch(feeds, tokens.attentionMask(), List.of()));
        }
        return batches;
    }
}
