package dev.saekit.onnx.splice;

import static dev.saekit.onnx.splice.SplicedModelTest.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.ocr.CtcDecoder;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.onnx.ocr.TextLineRenderer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The recogniser spliced at its residual stream. Skipped unless {@code onnx/fetch-ocr-model.sh}
 * has put the model in {@link OcrModelFiles#defaultDirectory()}.
 */
class OcrSpliceTest {
    private static final OcrModelFiles FILES = OcrModelFiles.inDefaultDirectory();

    @Test
    void anIdentitySaeKeepsEveryFrameAndZeroingTheResidualStreamDoesNot() throws Exception {
        assumeTrue(
                FILES.present(),
                "the OCR model is not in " + FILES.directory() + "; run " + OcrModelFiles.FETCH_SCRIPT);
        TextLineRenderer renderer = new TextLineRenderer();
        List<EvalBatch> lines = new ArrayList<>();
        for (String text : List.of("sparse autoencoder", "Quick brown fox, 42")) {
            BufferedImage image = renderer.render(text);
            FloatTensor x = TextLineRenderer.toTensor(List.of(image), image.getWidth());
            lines.add(EvalBatch.of(Map.of(OcrModelFiles.INPUT, Feed.of(x)), List.of(text)));
        }
        try (SplicedModel model = SplicedModel.open(FILES.model(), OcrModelFiles.RESIDUAL_TAP, 1)) {
            SplicedModel.Clean clean = model.clean(lines.get(0).feeds());
            assertBitEqual(
                    clean.outputs().get(OcrModelFiles.OUTPUT),
                    model.spliced(lines.get(0).feeds(), clean.tap()).get(OcrModelFiles.OUTPUT));
            CtcDecoder decoder = CtcDecoder.load(FILES.keys(), 6625);
            InModelReport r = InModelEvaluation.builder(
                            model,
                            TestSaes.identity(120),
                            new Downstream.CharacterDistributions(
                                    OcrModelFiles.OUTPUT, decoder, Downstream.Scores.DETECT))
                    .build()
                    .run(lines);
            CharacterFidelity f = (CharacterFidelity) r.downstream();
            assertTrue(f.probabilities(), "the recogniser's output is a softmax");
            assertEquals(0.0, f.splice().klNats());
            assertEquals(1.0, f.fractionRecovered());
            assertEquals(0.0, f.cleanCerVsTruth());
            assertTrue(
                    f.zero().klNats() > 0.1 && f.zero().argmaxAgreement() < 0.9,
                    f.zero().toString());
        }
    }
}
