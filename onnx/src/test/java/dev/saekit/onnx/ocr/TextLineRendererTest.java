package dev.saekit.onnx.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.FloatTensor;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text lines drawn as the recogniser's input. */
class TextLineRendererTest {
    private final TextLineRenderer renderer = new TextLineRenderer();

    @Test
    void linesAre48HighAndAMultipleOf8Wide() {
        for (String text : List.of("a", "hello world", "The quick brown fox jumps over 13 lazy dogs.")) {
            BufferedImage image = renderer.render(text);
            assertEquals(48, image.getHeight());
            assertEquals(0, image.getWidth() % 8, text);
            assertEquals(renderer.width(text), image.getWidth());
        }
        assertTrue(renderer.width("hello world") > renderer.width("hello"));
    }

    @Test
    void textIsBlackOnWhite() {
        BufferedImage image = renderer.render("HH");
        int darkest = 255;
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                darkest = Math.min(darkest, image.getRaster().getSample(x, y, 0));
            }
        }
        assertEquals(0, darkest); // the strokes of an H are solid black
        assertEquals(255, image.getRaster().getSample(0, 0, 0)); // the margin is white
        assertEquals(255, image.getRaster().getSample(image.getWidth() - 1, 47, 0));
    }

    @Test
    void theTensorIsBgrScaledToMinusOneOneAndPaddedWithWhite() {
        BufferedImage image = renderer.render("Hi");
        int w = image.getWidth();
        FloatTensor t = TextLineRenderer.toTensor(List.of(image), w + 16);
        assertEquals("[1, 3, 48, " + (w + 16) + "]", t.shapeText());
        float[] d = t.data();
        int plane = 48 * (w + 16);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < w + 16; x++) {
                int at = y * (w + 16) + x;
                float expected = x < w ? image.getRaster().getSample(x, y, 0) / 127.5f - 1f : 1f; // (v/255 - 0.5)/0.5
                assertEquals(expected, d[at]); // the same float32 arithmetic, v / 127.5 - 1: exact
                assertEquals(d[at], d[at + plane]); // grey: B = G = R
                assertEquals(d[at], d[at + 2 * plane]);
            }
        }
    }

    @Test
    void widthsMustBeMultiplesOf8AndHoldTheImage() {
        BufferedImage image = renderer.render("wide text");
        assertThrows(
                IllegalArgumentException.class, () -> TextLineRenderer.toTensor(List.of(image), image.getWidth() + 4));
        assertThrows(
                IllegalArgumentException.class, () -> TextLineRenderer.toTensor(List.of(image), image.getWidth() - 8));
        assertThrows(IllegalArgumentException.class, () -> new TextLineRenderer(60));
    }
}
