package dev.saekit.onnx.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Seeded lines of text. */
class TextLinesTest {
    private static final List<String> WORDS = List.of("the", "of", "sparse", "autoencoder", "concept", "dictionary");

    private static List<String> lines(long seed, int n) {
        TextLines lines = new TextLines(WORDS, 6, 200, String::length, seed); // width = characters, for the test
        return IntStream.range(0, n).mapToObj(i -> lines.next()).toList();
    }

    @Test
    void theSameSeedGivesTheSameLines() {
        assertEquals(lines(7, 50), lines(7, 50));
        assertNotEquals(lines(7, 50), lines(8, 50));
    }

    @Test
    void linesFitTheWidthAndAreNeverEmpty() {
        TextLines lines = new TextLines(WORDS, 6, 12, String::length, 1);
        for (int i = 0; i < 500; i++) {
            String line = lines.next();
            assertFalse(line.isBlank());
            assertTrue(line.length() <= 12 || !line.contains(" "), line); // only a single long word may be wider
        }
    }

    @Test
    void tokensAreWordsInSomeCaseNumbersAndPunctuation() {
        String all = String.join(" ", lines(3, 400));
        assertTrue(all.chars().anyMatch(Character::isDigit), all);
        assertTrue(all.chars().anyMatch(Character::isUpperCase), all);
        assertTrue(all.contains(",") || all.contains("."), all);
        for (String token : all.split(" ")) {
            String bare = token.replaceAll("[,.]$", "").toLowerCase();
            assertTrue(bare.chars().allMatch(Character::isDigit) || WORDS.contains(bare), token);
        }
    }
}
