package dev.saekit.onnx.splice;

import static dev.saekit.onnx.splice.SplicedModelTest.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.text.SpecialTokens;
import dev.saekit.onnx.text.TextBatch;
import dev.saekit.onnx.text.TextModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** all-MiniLM-L6-v2 ({@link TextModel#minilm()}) spliced at the residual stream after layer 3. */
class MiniLmSpliceTest {
    static final List<String> SENTENCES = List.of(
            "A sparse autoencoder reads the residual stream.",
            "The quick brown fox jumps over the lazy dog",
            "short",
            "Dictionary learning finds a few directions that explain most of the activations of a transformer.");
    static final int WIDTH = 384;

    private static TextModel text;
    private static SplicedModel model;
    private static TextBatch tokens;
    private static EvalBatch batch;

    @BeforeAll
    static void open() throws Exception {
        text = TextModel.minilm();
        model = SplicedModel.open(text.onnxFile(), text.tensor("residual:3"), 1);
        tokens = text.tokenizer().batch(SENTENCES);
        batch = TextEvaluation.batch(text, tokens, SpecialTokens.KEEP);
    }

    @AfterAll
    static void close() {
        model.close();
        text.close();
    }

    @Test
    void feedingTheCleanResidualBackGivesTheCleanHiddenStatesBitForBit() {
        SplicedModel.Clean clean = model.clean(batch.feeds());
        assertEquals(List.of(TextEvaluation.DEFAULT_OUTPUT), model.outputs());
        assertEquals("[4, " + tokens.length() + ", 384]", clean.tap().shapeText());
        Map<String, FloatTensor> spliced = model.spliced(batch.feeds(), clean.tap());
        assertBitEqual(clean.outputs().get(TextEvaluation.DEFAULT_OUTPUT), spliced.get(TextEvaluation.DEFAULT_OUTPUT));
    }

    @Test
    void theBatchIsPaddedToItsLongestDocumentWithAMask() {
        assertEquals(4, tokens.size());
        // "short" is [CLS] short [SEP]: 3 real tokens, the rest padding
        long shortTokens = 0;
        for (int t = 0; t < tokens.length(); t++) {
            shortTokens += batch.attentionMask()[2 * tokens.length() + t];
        }
        assertEquals(3, shortTokens);
        assertTrue(realTokens() < 4L * tokens.length());
    }

    @Test
    void anIdentitySaeKeepsTheSentenceEmbeddingsExactly() {
        InModelReport r = evaluate(TestSaes.identity(WIDTH));
        EmbeddingFidelity f = (EmbeddingFidelity) r.downstream();
        assertEquals(1.0, f.spliceCosine());
        assertEquals(1.0, f.fractionRecovered());
        assertEquals(0.0, r.reconstruction().fvu());
        assertEquals(realTokens(), r.tokens());
        assertEquals(SENTENCES.size(), f.documents());
        // zeroing the residual stream after layer 3 leaves little of the embedding; its mean row keeps more
        assertTrue(f.zeroCosine() < 0.5, "zero ablation cosine " + f.zeroCosine());
        assertTrue(f.meanCosine() < 0.9, "mean ablation cosine " + f.meanCosine());
    }

    @Test
    void aZeroSaeRecoversNothing() {
        EmbeddingFidelity f = (EmbeddingFidelity) evaluate(TestSaes.zero(WIDTH)).downstream();
        assertEquals(f.zeroCosine(), f.spliceCosine());
        assertEquals(0.0, f.fractionRecovered());
    }

    @Test
    void twoThreadsAreBitExactToo() throws Exception {
        try (SplicedModel two = SplicedModel.open(text.onnxFile(), text.tensor("residual:1"), 2)) {
            SplicedModel.Clean clean = two.clean(batch.feeds());
            assertBitEqual(
                    clean.outputs().get(TextEvaluation.DEFAULT_OUTPUT),
                    two.spliced(batch.feeds(), clean.tap()).get(TextEvaluation.DEFAULT_OUTPUT));
        }
    }

    private static long realTokens() {
        long n = 0;
        for (long m : tokens.attentionMask().data()) {
            n += m;
        }
        return n;
    }

    private static InModelReport evaluate(RowAutoencoder sae) {
        return InModelEvaluation.builder(model, sae, new Downstream.SentenceEmbedding(TextEvaluation.DEFAULT_OUTPUT))
                .build()
                .run(List.of(batch));
    }
}
