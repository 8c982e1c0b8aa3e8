package dev.saekit.onnx.splice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.text.SpecialTokens;
import dev.saekit.onnx.text.TextModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link TextEvaluation} on all-MiniLM-L6-v2: friendly taps, and special tokens dropped or kept. */
class TextEvaluationTest {
    private static TextModel model;

    @BeforeAll
    static void open() throws Exception {
        model = TextModel.minilm();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static InModelReport evaluate(RowAutoencoder sae, SpecialTokens special) throws Exception {
        try (TextEvaluation e = TextEvaluation.builder(model, "residual:3", sae)
                .batchSize(3)
                .specialTokens(special)
                .threads(1)
                .open()) {
            assertEquals("/encoder/layer.3/output/LayerNorm/Add_1_output_0", e.tensor());
            return e.run(MiniLmSpliceTest.SENTENCES);
        }
    }

    @Test
    void droppingSpecialTokensCountsTwoFewerPerDocumentAndTheIdentityStillRecoversEverything() throws Exception {
        InModelReport drop = evaluate(TestSaes.identity(MiniLmSpliceTest.WIDTH), SpecialTokens.DROP);
        InModelReport keep = evaluate(TestSaes.identity(MiniLmSpliceTest.WIDTH), SpecialTokens.KEEP);
        // every document is [CLS] ... [SEP]: dropping leaves out two rows of each
        assertEquals(keep.tokens() - 2L * MiniLmSpliceTest.SENTENCES.size(), drop.tokens());
        assertEquals(4, drop.sequences());
        assertEquals(1.0, drop.fractionRecovered());
        assertEquals(1.0, keep.fractionRecovered());
        assertEquals(1.0, drop.spliceCosine());
        assertEquals(0.0, drop.fvu());
        // zeroing fewer rows damages the embedding less, but it is damaged either way
        assertTrue(
                keep.zeroCosine() < drop.zeroCosine() && drop.zeroCosine() < 1,
                "zero cosine: keep " + keep.zeroCosine() + ", drop " + drop.zeroCosine());
    }

    @Test
    void theZeroSaeRecoversNothingWithSpecialTokensDropped() throws Exception {
        InModelReport r = evaluate(TestSaes.zero(MiniLmSpliceTest.WIDTH), SpecialTokens.DROP);
        assertEquals(r.zeroCosine(), r.spliceCosine());
        assertEquals(0.0, r.fractionRecovered());
        assertEquals(1.0, r.deadFraction());
    }

    @Test
    void aKeptBaselineGivesTheReportsOfFreshEvaluationsAndRunsTheModelOncePerBatch() throws Exception {
        RowAutoencoder[] saes = {
            TestSaes.scaled(MiniLmSpliceTest.WIDTH, 0.5f),
            TestSaes.identity(MiniLmSpliceTest.WIDTH),
            TestSaes.scaled(MiniLmSpliceTest.WIDTH, 0.5f)
        };
        SwappedRows slot = new SwappedRows(MiniLmSpliceTest.WIDTH);
        try (TextEvaluation kept = TextEvaluation.builder(model, "residual:3", slot)
                .batchSize(3)
                .threads(1)
                .keepBaseline(true)
                .open()) {
            for (int i = 0; i < saes.length; i++) {
                slot.set(saes[i]);
                InModelReport r = kept.run(MiniLmSpliceTest.SENTENCES);
                InModelReport fresh = evaluate(saes[i], SpecialTokens.DROP);
                assertEquals(withoutTiming(fresh), withoutTiming(r), "SAE " + i);
                if (i > 0) {
                    assertEquals(0.0, r.timing().meanPassSeconds(), "the mean row is kept");
                }
            }
            // other documents: a new baseline, still the fresh report
            slot.set(saes[1]);
            java.util.List<String> fewer = MiniLmSpliceTest.SENTENCES.subList(0, 2);
            InModelReport r = kept.run(fewer);
            try (TextEvaluation e = TextEvaluation.builder(model, "residual:3", saes[1])
                    .batchSize(3)
                    .threads(1)
                    .open()) {
                assertEquals(withoutTiming(e.run(fewer)), withoutTiming(r));
            }
        }
        IllegalArgumentException wide = assertThrows(
                IllegalArgumentException.class, () -> slot.set(TestSaes.identity(MiniLmSpliceTest.WIDTH + 1)));
        assertTrue(wide.getMessage().contains("width"), wide.getMessage());
    }

    /** The report's JSON without its timings, which differ from run to run. */
    private static String withoutTiming(InModelReport r) {
        com.fasterxml.jackson.databind.node.ObjectNode json = r.toJson();
        json.remove("timing");
        return json.toString();
    }

    @Test
    void aRawTensorNameWorksAsTheTap() throws Exception {
        try (TextEvaluation e = TextEvaluation.builder(
                        model,
                        "/encoder/layer.2/output/LayerNorm/Add_1_output_0",
                        TestSaes.identity(MiniLmSpliceTest.WIDTH))
                .threads(1)
                .open()) {
            assertEquals("/encoder/layer.2/output/LayerNorm/Add_1_output_0", e.tensor());
            assertEquals(TextEvaluation.DEFAULT_OUTPUT, e.output());
        }
    }

    @Test
    void badTapsOutputsAndSettingsAreRefusedBeforeAnyRun() {
        RowAutoencoder sae = TestSaes.identity(MiniLmSpliceTest.WIDTH);
        IllegalArgumentException tap = assertThrows(
                IllegalArgumentException.class,
                () -> TextEvaluation.builder(model, "residual:9", sae).open());
        assertTrue(tap.getMessage().startsWith("tap 'residual:9': this model has 6 layers"), tap.getMessage());
        IllegalArgumentException output = assertThrows(
                IllegalArgumentException.class,
                () -> TextEvaluation.builder(model, "residual:3", sae)
                        .output("pooler_output")
                        .open());
        assertTrue(output.getMessage().contains("its float outputs are [last_hidden_state]"), output.getMessage());
        IllegalArgumentException batch = assertThrows(
                IllegalArgumentException.class,
                () -> TextEvaluation.builder(model, "residual:3", sae)
                        .batchSize(0)
                        .open());
        assertEquals("batchSize must be > 0, was 0", batch.getMessage());
    }
}
