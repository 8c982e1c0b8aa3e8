package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.MalformedFileException;
import dev.saekit.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model given as files ({@link TextModel#open}) that takes no {@code token_type_ids}, and whose
 * activation at a token is the token's id: every harvested row can be checked against the token
 * table by hand.
 */
class TinyTextModelTest {
    @TempDir
    Path tmp;

    private TextModel open() throws IOException {
        Path onnx = Files.write(tmp.resolve("tiny.onnx"), TinyTextModel.bytes());
        Path tokenizer = ModelCache.file("all-minilm-l6-v2-tokenizer.json", "all-minilm-l6-v2-tokenizer", "json")
                .file();
        return TextModel.open(onnx, tokenizer, 16);
    }

    @Test
    void aModelWithoutTokenTypesIsFedIdsAndMaskOnly() throws IOException {
        try (TextModel model = open()) {
            assertEquals("tiny.onnx", model.name());
            assertEquals(1, model.layers());
            assertEquals(
                    Map.of(
                            "embeddings",
                            TinyTextModel.EMBEDDINGS,
                            "residual:0",
                            "last_hidden_state",
                            "mlp_hidden:0",
                            TinyTextModel.HIDDEN),
                    model.tapNames());
            TextBatch batch = model.tokenizer().batch(List.of("a dog", "the cat sat down"));
            assertEquals(
                    List.of(TextBatch.INPUT_IDS, TextBatch.ATTENTION_MASK),
                    List.copyOf(model.feeds(batch).keySet()));
            try (TextTaps taps = model.taps(List.of("embeddings", "mlp_hidden:0"), 1)) {
                TextActivations a = taps.run(batch);
                float[] emb = a.tap("embeddings").data();
                long[] ids = batch.inputIds().data();
                long[] mask = batch.attentionMask().data();
                for (int i = 0; i < ids.length; i++) {
                    assertEquals(ids[i] * mask[i], emb[i]); // padding (id 0, mask 0) is 0
                    assertEquals(-emb[i], a.tap("mlp_hidden:0").data()[i]);
                }
            }
        }
    }

    /** Rows of the tap {@code embeddings} are the token ids, so the token table must give each row's id. */
    @Test
    void everyRowIsTheTokenTheTableNames() throws IOException {
        List<TextCorpus.Document> docs = TokenHarvestTest.documents(30);
        Path out = tmp.resolve("out");
        try (TextModel model = open()) {
            TokenHarvest.builder(model, TextCorpus.of("thirty", docs), out)
                    .taps(List.of("embeddings"))
                    .batchSize(3)
                    .window(7)
                    .rowsPerShard(7 * 16)
                    .specialTokens(SpecialTokens.KEEP)
                    .build()
                    .run();
        }
        HarvestDirectory h = HarvestDirectory.open(out);
        assertTrue(h.state().shards().size() > 2, h.state().shards().toString());
        try (TokenTable t = h.tokens()) {
            long row = 0;
            for (Path shard : h.shards("embeddings")) {
                float[] values = Npy.read(shard).data().asFloat();
                for (float v : values) {
                    assertEquals(t.row(row).tokenId(), v, "row " + row);
                    row++;
                }
            }
            assertEquals(t.rows(), row);
            assertEquals(30, t.documents());
        }
    }

    @Test
    void aGraphThatTakesOtherInputsIsNotATextModel() throws IOException {
        Path onnx = Files.write(tmp.resolve("mlp.onnx"), dev.saekit.onnx.TinyModels.mlp());
        Path tokenizer = ModelCache.file("all-minilm-l6-v2-tokenizer.json", "all-minilm-l6-v2-tokenizer", "json")
                .file();
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> TextModel.open(onnx, tokenizer));
        assertTrue(
                e.getMessage()
                        .startsWith(onnx + ": the graph takes the input x float [N, 4], which a text model's"
                                + " tokenizer does not give"),
                e.getMessage());
    }
}
