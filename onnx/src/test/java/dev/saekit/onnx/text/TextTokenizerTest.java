package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * all-MiniLM-L6-v2's tokenizer against {@code tokenizer-fixture.json}: tokens, ids and offsets that
 * {@code make_tokenizer_fixture.py} (beside it) derived from tokenizer.json with its own
 * implementation of BERT's normaliser, pre-tokeniser and WordPiece.
 */
class TextTokenizerTest {
    private static JsonNode fixture;
    private static Path tokenizerJson;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TextTokenizerTest.class.getResourceAsStream("tokenizer-fixture.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        tokenizerJson = ModelCache.file("all-minilm-l6-v2-tokenizer.json", "all-minilm-l6-v2-tokenizer", "json")
                .file();
    }

    private static String[] strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out.toArray(String[]::new);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void tokensIdsAndOffsetsMatchTheFixture() throws IOException {
        int maxLength = fixture.get("max_length").asInt();
        try (TextTokenizer tokenizer = TextTokenizer.open(tokenizerJson, maxLength)) {
            for (JsonNode expected : fixture.get("texts")) {
                String text = expected.get("text").asText();
                Tokens t = tokenizer.encode(text);
                assertArrayEquals(strings(expected.get("tokens")), t.tokens(), text);
                assertArrayEquals(longs(expected.get("ids")), t.ids(), text);
                assertArrayEquals(ints(expected.get("starts")), t.starts(), text);
                assertArrayEquals(ints(expected.get("ends")), t.ends(), text);
                assertArrayEquals(new long[t.length()], t.typeIds(), text);
                for (int i = 0; i < t.length(); i++) {
                    assertEquals(i == 0 || i == t.length() - 1, t.special()[i], text + " token " + i);
                }
                assertTrue(t.length() <= maxLength, text);
            }
        }
    }

    @Test
    void theFixtureCoversTruncationUnknownTokensAndWordPieces() {
        int maxLength = fixture.get("max_length").asInt();
        List<String> all = new ArrayList<>();
        boolean truncated = false;
        for (JsonNode t : fixture.get("texts")) {
            all.addAll(List.of(strings(t.get("tokens"))));
            truncated |= t.get("tokens").size() == maxLength;
        }
        assertTrue(truncated, "one text reaches max_length");
        assertTrue(all.contains("[UNK]") && all.contains("##ism") && all.contains("cafe"), all.toString());
    }

    @Test
    void theVocabularyNamesEveryIdTheTokenizerGives() throws IOException {
        try (TextTokenizer tokenizer = TextTokenizer.open(tokenizerJson, 128)) {
            List<String> vocab = tokenizer.vocabulary();
            assertEquals(30_522, vocab.size());
            assertEquals(0, tokenizer.padId());
            assertEquals("[PAD]", vocab.get(0));
            for (JsonNode expected : fixture.get("texts")) {
                Tokens t = tokenizer.encode(expected.get("text").asText());
                for (int i = 0; i < t.length(); i++) {
                    assertEquals(t.tokens()[i], vocab.get((int) t.ids()[i]));
                }
            }
        }
    }

    @Test
    void aBatchIsPaddedWithThePadIdAndMaskedWhereItIsPadding() throws IOException {
        try (TextTokenizer tokenizer = TextTokenizer.open(tokenizerJson, 128)) {
            TextBatch b = tokenizer.batch(List.of("a b c d", "a"));
            Tokens longer = b.texts().get(0);
            Tokens shorter = b.texts().get(1);
            assertEquals(longer.length(), b.length());
            assertArrayEquals(new long[] {2, longer.length()}, b.inputIds().shape());
            long[] ids = b.inputIds().data();
            long[] mask = b.attentionMask().data();
            for (int p = 0; p < b.length(); p++) {
                assertEquals(longer.ids()[p], ids[p]);
                assertEquals(1, mask[p]);
                boolean real = p < shorter.length();
                assertEquals(real ? shorter.ids()[p] : tokenizer.padId(), ids[b.length() + p]);
                assertEquals(real ? 1 : 0, mask[b.length() + p]);
            }
        }
    }

    @Test
    void aMaxLengthWithoutRoomForTheSpecialTokensIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TextTokenizer.open(tokenizerJson, 1));
        assertEquals("maxLength must be >= 2 (room for [CLS] and [SEP]), was 1", e.getMessage());
    }
}
