package dev.saekit.onnx.splice;

import static dev.saekit.onnx.splice.SplicedModelTest.assertBitEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.FloatTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** all-MiniLM-L6-v2 spliced at the residual stream after layer 3. */
class MiniLmSpliceTest {
    static final List<String> SENTENCES = List.of(
            "A sparse autoencoder reads the residual stream.",
            "The quick brown fox jumps over the lazy dog",
            "short",
            "Dictionary learning finds a few directions that explain most of the activations of a transformer.");

    private static SplicedModel model;
    private static TokenBatch batch;

    @BeforeAll
    static void open() throws Exception {
        model = MiniLm.spliced(MiniLm.residual(3), 1);
        try (TokenBatcher tokenizer = MiniLm.tokenizer()) {
            batch = tokenizer.batch(SENTENCES);
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void feedingTheCleanResidualBackGivesTheCleanHiddenStatesBitForBit() {
        SplicedModel.Clean clean = model.clean(batch.feeds());
        assertEquals(List.of(MiniLm.OUTPUT), model.outputs());
        assertEquals("[4, " + batch.length() + ", 384]", clean.tap().shapeText());
        Map<String, FloatTensor> spliced = model.spliced(batch.feeds(), clean.tap());
        assertBitEqual(clean.outputs().get(MiniLm.OUTPUT), spliced.get(MiniLm.OUTPUT));
    }

    @Test
    void theBatchIsPaddedToItsLongestDocumentWithAMask() {
        assertEquals(4, batch.documents());
        // "short" is [CLS] short [SEP]: 3 real tokens, the rest padding
        long shortTokens = 0;
        for (int t = 0; t < batch.length(); t++) {
            shortTokens += batch.attentionMask()[2 * batch.length() + t];
        }
        assertEquals(3, shortTokens);
        assertTrue(batch.tokens() < 4L * batch.length());
    }

    @Test
    void anIdentitySaeKeepsTheSentenceEmbeddingsExactly() {
        InModelReport r = evaluate(TestSaes.identity(MiniLm.WIDTH));
        EmbeddingFidelity f = (EmbeddingFidelity) r.downstream();
        assertEquals(1.0, f.spliceCosine());
        assertEquals(1.0, f.fractionRecovered());
        assertEquals(0.0, r.reconstruction().fvu());
        assertEquals(batch.tokens(), r.tokens());
        assertEquals(SENTENCES.size(), f.documents());
        // zeroing the residual stream after layer 3 leaves little of the embedding; its mean row keeps more
        assertTrue(f.zeroCosine() < 0.5, "zero ablation cosine " + f.zeroCosine());
        assertTrue(f.meanCosine() < 0.9, "mean ablation cosine " + f.meanCosine());
    }

    @Test
    void aZeroSaeRecoversNothing() {
        EmbeddingFidelity f =
                (EmbeddingFidelity) evaluate(TestSaes.zero(MiniLm.WIDTH)).downstream();
        assertEquals(f.zeroCosine(), f.spliceCosine());
        assertEquals(0.0, f.fractionRecovered());
    }

    @Test
    void twoThreadsAreBitExactToo() throws Exception {
        try (SplicedModel two = MiniLm.spliced(MiniLm.residual(1), 2)) {
            SplicedModel.Clean clean = two.clean(batch.feeds());
            assertBitEqual(
                    clean.outputs().get(MiniLm.OUTPUT),
                    two.spliced(batch.feeds(), clean.tap()).get(MiniLm.OUTPUT));
        }
    }

    private static InModelReport evaluate(RowAutoencoder sae) {
        return InModelEvaluation.builder(model, sae, new Downstream.SentenceEmbedding(MiniLm.OUTPUT))
                .build()
                .run(List.of(EvalBatch.of(batch)));
    }
}
