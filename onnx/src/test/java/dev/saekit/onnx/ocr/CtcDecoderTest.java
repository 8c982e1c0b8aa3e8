package dev.saekit.onnx.ocr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.FloatTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classes and greedy CTC decoding over a keys file of two characters: blank, a, b, space. */
class CtcDecoderTest {
    @TempDir
    Path dir;

    private CtcDecoder decoder() throws IOException {
        return CtcDecoder.load(Files.writeString(dir.resolve("keys.txt"), "a\nb\n"), 4);
    }

    @Test
    void repeatsMergeAndBlanksVanish() throws IOException {
        CtcDecoder d = decoder();
        // blank a a blank a space b b -> "a" + "a" (a blank separates the repeats) + " " + "b"
        assertEquals("aa b", d.decode(new int[] {0, 1, 1, 0, 1, 3, 2, 2}));
        assertEquals("", d.decode(new int[] {0, 0}));
    }

    @Test
    void everyTimestepHasAVisibleLabel() throws IOException {
        CtcDecoder d = decoder();
        assertEquals(CtcDecoder.BLANK, d.label(0));
        assertEquals("a", d.label(1));
        assertEquals("b", d.label(2));
        assertEquals(CtcDecoder.SPACE, d.label(3));
    }

    @Test
    void argmaxReadsOneLineOfABatch() throws IOException {
        float[] p = {
            .9f, .1f, 0, 0, /* line 0 */ 0, .2f, .7f, .1f, .1f, .6f, .3f, 0, /* line 1 */ 0, 0, .1f, .9f,
        };
        FloatTensor probs = FloatTensor.of(p, 2, 2, 4);
        assertArrayEquals(new int[] {0, 2}, decoder().argmax(probs, 0));
        assertArrayEquals(new int[] {1, 3}, decoder().argmax(probs, 1));
    }

    @Test
    void aKeysFileThatDoesNotMatchTheModelIsRejected() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "a\nb\nc\n");
        IOException e = assertThrows(IOException.class, () -> CtcDecoder.load(keys, 4));
        assertTrue(
                e.getMessage().endsWith("3 characters + blank + space = 5 classes, but the model has 4 per timestep"),
                e.getMessage());
    }
}
