package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.OnnxTaps;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** all-MiniLM-L6-v2: friendly tap names, and taps that hold what ONNX Runtime computes. */
class TextModelTest {
    static final List<String> SENTENCES = List.of(
            "A dog barked at the mailman.",
            "Sparse autoencoders find features.",
            "The quick brown fox jumps over the lazy dog near the river bank.",
            "Hi.");

    private static TextModel model;

    @BeforeAll
    static void open() throws IOException {
        model = TextModel.minilm();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void friendlyNamesCoverEveryLayerAndTheLastResidualIsTheOutput() {
        assertEquals(6, model.layers());
        Map<String, String> names = model.tapNames();
        assertEquals(1 + 4 * 6, names.size(), names.toString());
        assertEquals("/embeddings/LayerNorm/Add_1_output_0", names.get("embeddings"));
        assertEquals("/encoder/layer.0/output/LayerNorm/Add_1_output_0", names.get("residual:0"));
        assertEquals("last_hidden_state", names.get("residual:5"));
        assertEquals("/encoder/layer.3/attention/output/LayerNorm/Add_1_output_0", names.get("mlp_in:3"));
        assertEquals("/encoder/layer.3/intermediate/intermediate_act_fn/Mul_1_output_0", names.get("mlp_hidden:3"));
        assertEquals("/encoder/layer.3/output/dense/Add_output_0", names.get("mlp_out:3"));
        assertEquals(
                "/encoder/layer.2/output/dense/Add_output_0",
                model.tensor("/encoder/layer.2/output/dense/Add_output_0"));
    }

    @Test
    void anUnknownTapNameListsTheValidOnes() {
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class, () -> model.tensor("residual:6"));
        assertTrue(
                layer.getMessage()
                        .startsWith("tap 'residual:6': this model has 6 layers, so the layer must be in 0..5"),
                layer.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> model.tensor("resid:3"));
        assertTrue(
                name.getMessage().contains("is neither a friendly name (embeddings, residual:0,"), name.getMessage());
        assertTrue(name.getMessage().contains("close names: "), name.getMessage());
    }

    @Test
    void theFeedsAreTheBatchsIdsMaskAndTypes() {
        TextBatch batch = model.tokenizer().batch(SENTENCES);
        assertEquals(
                List.of(TextBatch.INPUT_IDS, TextBatch.ATTENTION_MASK, TextBatch.TOKEN_TYPE_IDS),
                List.copyOf(model.feeds(batch).keySet()));
        assertArrayEquals(
                batch.inputIds().data(),
                model.feeds(batch).get(TextBatch.INPUT_IDS).data());
    }

    /**
     * The tap {@code residual:5} is the output {@code last_hidden_state}, and an inner tap holds what a
     * session of the untouched model with only that tensor added as an output computes, and what the
     * plain model outputs: at every real (unpadded) position. The tolerance is the model's own noise:
     * how much a sentence's numbers move when it runs alone instead of padded in the batch (0 on the
     * machines saekit was checked on), and at least a few float32 steps of the largest value.
     */
    @Test
    void tapsHoldWhatOnnxRuntimeComputes() throws IOException {
        String inner = model.tensor("mlp_hidden:2");
        TextBatch batch = model.tokenizer().batch(SENTENCES);
        TextActivations a;
        try (TextTaps taps = model.taps(List.of("residual:5", "mlp_hidden:2"), 1)) {
            a = taps.run(batch);
            assertEquals(
                    a.outputs().get("last_hidden_state").shapeText(),
                    a.tap("residual:5").shapeText());
            assertArrayEquals(
                    a.outputs().get("last_hidden_state").data(),
                    a.tap("residual:5").data());
            assertArrayEquals(
                    new long[] {SENTENCES.size(), batch.length(), 1536},
                    a.tap("mlp_hidden:2").shape());
            double[] noise = new double[2];
            for (int s = 0; s < SENTENCES.size(); s++) {
                TextActivations alone = taps.run(model.tokenizer().batch(List.of(SENTENCES.get(s))));
                noise[0] = Math.max(noise[0], maxDifference(a.tap("residual:5"), s, alone.tap("residual:5"), 0, batch));
                noise[1] = Math.max(
                        noise[1], maxDifference(a.tap("mlp_hidden:2"), s, alone.tap("mlp_hidden:2"), 0, batch));
            }
            double residualTolerance = Math.max(4 * noise[0], 8 * Math.ulp(maxAbs(a.tap("residual:5"))));
            double hiddenTolerance = Math.max(4 * noise[1], 8 * Math.ulp(maxAbs(a.tap("mlp_hidden:2"))));
            try (OnnxTaps reference = OnnxTaps.open(model.onnxFile(), List.of(inner), 1)) {
                Map<String, FloatTensor> ref = reference.run(Map.of(), model.feeds(batch));
                for (int s = 0; s < SENTENCES.size(); s++) {
                    assertTrue(
                            maxDifference(a.tap("mlp_hidden:2"), s, ref.get(inner), s, batch) <= hiddenTolerance,
                            "sentence " + s + " differs by more than " + hiddenTolerance);
                    assertTrue(
                            maxDifference(a.tap("residual:5"), s, ref.get("last_hidden_state"), s, batch)
                                    <= residualTolerance,
                            "sentence " + s + " differs by more than " + residualTolerance);
                }
            }
        }
    }

    static float maxAbs(FloatTensor x) {
        float max = 0;
        for (float v : x.data()) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /** The largest difference between sentence {@code i} of {@code x} and sentence {@code j} of {@code y}, over its real positions. */
    static double maxDifference(FloatTensor x, int i, FloatTensor y, int j, TextBatch batch) {
        int width = x.width();
        int length = batch.texts().get(i).length();
        double max = 0;
        for (int p = 0; p < length; p++) {
            for (int c = 0; c < width; c++) {
                float u = x.data()[(int) ((i * x.dim(1) + p) * width + c)];
                float v = y.data()[(int) ((j * y.dim(1) + p) * width + c)];
                max = Math.max(max, Math.abs(u - v));
            }
        }
        return max;
    }
}
