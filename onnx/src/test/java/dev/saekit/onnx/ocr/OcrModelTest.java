package dev.saekit.onnx.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.saekit.io.ActivationManifest;
import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.ModelInfo;
import dev.saekit.onnx.OnnxInspector;
import dev.saekit.onnx.OnnxTaps;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real recogniser (PP-OCRv4). Skipped unless {@code onnx/fetch-ocr-model.sh} has put it in
 * {@link OcrModelFiles#defaultDirectory()}: unit tests never download anything.
 */
class OcrModelTest {
    private static final OcrModelFiles FILES = OcrModelFiles.inDefaultDirectory();
    private static final List<String> WORDS = List.of(
            "sparse",
            "autoencoder",
            "concept",
            "dictionary",
            "matching",
            "pursuit",
            "residual",
            "stream",
            "feature",
            "archetypal",
            "quick",
            "brown",
            "fox",
            "jumps",
            "over",
            "lazy",
            "dog");

    @TempDir
    Path dir;

    @BeforeEach
    void needsTheModel() {
        assumeTrue(
                FILES.present(),
                "the OCR model is not in " + FILES.directory() + "; run " + OcrModelFiles.FETCH_SCRIPT);
    }

    @Test
    void theResidualTapHas120ValuesPerTimestepAndOneTimestepPer8Columns() throws IOException {
        TextLineRenderer renderer = new TextLineRenderer();
        BufferedImage image = renderer.render("sparse autoencoder");
        try (OnnxTaps taps = OnnxTaps.open(FILES.model(), List.of(OcrModelFiles.RESIDUAL_TAP, "transpose_51.tmp_0"))) {
            assertEquals(OcrModelFiles.MODEL_SHA256, taps.sha256());
            Map<String, FloatTensor> out =
                    taps.run(Map.of("x", TextLineRenderer.toTensor(List.of(image), image.getWidth())));
            long t = image.getWidth() / 8;
            assertEquals(
                    "[1, " + t + ", 120]", out.get(OcrModelFiles.RESIDUAL_TAP).shapeText());
            assertEquals("[1, " + t + ", 120]", out.get("transpose_51.tmp_0").shapeText());
            assertEquals("[1, " + t + ", 6625]", out.get(OcrModelFiles.OUTPUT).shapeText());
            CtcDecoder decoder = CtcDecoder.load(FILES.keys(), 6625);
            assertEquals(
                    "sparse autoencoder",
                    decoder.decode(decoder.argmax(out.get(OcrModelFiles.OUTPUT), 0))
                            .strip());
        }
    }

    @Test
    void renderedLinesAreReadAndEveryRowIsLabelled() throws IOException {
        Path out = dir.resolve("ocr");
        OcrActivations.Config config =
                OcrActivations.builder(out).lines(40).seed(3).rowsPerShard(500).build();
        OcrActivations.Result r = OcrActivations.run(FILES, WORDS, config, null);
        assertTrue(r.exactFraction() >= 0.9, "exact " + r.exactFraction() + ", misreads " + r.misreads());
        assertTrue(r.characterErrorRate() <= 0.02, "CER " + r.characterErrorRate());
        ActivationManifest m = ActivationManifest.read(out);
        ActivationManifest.Tap tap = m.taps().get(0);
        assertEquals(120, tap.width());
        assertEquals(r.rows(), tap.rows());
        assertEquals("[1, ?, 120]", tap.tensorShape());
        assertEquals(
                tap.rows(),
                Files.readAllLines(out.resolve(OcrActivations.LABELS)).size());
        List<String> lines = Files.readAllLines(out.resolve(OcrActivations.LINES));
        assertEquals(41, lines.size()); // header + one per line
        // most timesteps are blank; the others are the characters of the text
        List<String> labels = Files.readAllLines(out.resolve(OcrActivations.LABELS));
        assertTrue(labels.stream().filter(CtcDecoder.BLANK::equals).count() > labels.size() / 2);
        assertTrue(labels.contains("s") && labels.contains(CtcDecoder.SPACE));
    }

    @Test
    void onnxInfoShapesOfTheTapsOnASampleLine() throws IOException {
        ModelInfo info = OnnxInspector.inspect(FILES.model(), Map.of("x", new long[] {1, 3, 48, 320}));
        Map<String, String> shapes = new java.util.HashMap<>();
        info.innerTensors().forEach(t -> shapes.put(t.spec().name(), t.spec().shapeText()));
        assertEquals("[1, 40, 120]", shapes.get(OcrModelFiles.RESIDUAL_TAP));
        assertEquals("[1, 40, 120]", shapes.get("transpose_51.tmp_0"));
        assertEquals("[1, 40, 6625]", info.outputs().get(0).shapeText());
    }
}
