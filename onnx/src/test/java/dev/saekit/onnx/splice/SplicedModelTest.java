package dev.saekit.onnx.splice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.TinyModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs of a hand-built model with a splice point: the clean value fed back gives the clean outputs bit for bit. */
class SplicedModelTest {
    private static final float[] X = {1, 2, 3, 4, -1, 0.5f, 2, -3, 0.25f, -0.75f, 1.5f, 2.5f};

    @Test
    void feedingTheCleanValueBackGivesTheCleanOutputsBitForBit() throws Exception {
        try (SplicedModel m = SplicedModel.of(TinyModels.mlp(), Path.of("mlp.onnx"), "hidden", 1)) {
            Map<String, Feed> feeds = Map.of("x", Feed.floats(X, 3, 4));
            SplicedModel.Clean clean = m.clean(feeds);
            assertEquals("[3, 3]", clean.tap().shapeText());
            // x row 0 = (1, 2, 3, 4): hidden_pre = x @ W1 = (1 + 3, 2 - 4, -1 + 3) = (4, -2, 2), relu: (4, 0, 2)
            assertArrayEquals(new float[] {4, 0, 2}, Arrays.copyOf(clean.tap().data(), 3));
            Map<String, FloatTensor> spliced = m.spliced(feeds, clean.tap());
            assertEquals(m.outputs(), java.util.List.copyOf(spliced.keySet()));
            assertBitEqual(clean.outputs().get("y"), spliced.get("y"));
        }
    }

    @Test
    void aReplacementChangesWhatTheReadersSee() throws Exception {
        try (SplicedModel m = SplicedModel.of(TinyModels.mlp(), Path.of("mlp.onnx"), "hidden", 1)) {
            Map<String, Feed> feeds = Map.of("x", Feed.floats(X, 3, 4));
            // hidden row (1, 0, 0) gives y = W2 row 0 = (1, 2); a zero row gives (0, 0)
            float[] replacement = {1, 0, 0, 0, 0, 0, 0, 1, 0};
            FloatTensor y = m.spliced(feeds, FloatTensor.of(replacement, 3, 3)).get("y");
            assertArrayEquals(new float[] {1, 2, 0, 0, 3, 4}, y.data());
        }
    }

    @Test
    void aSequenceTapIsSplicedPerTimestep() throws Exception {
        try (SplicedModel m = SplicedModel.of(TinyModels.sequence(), Path.of("sequence.onnx"), "h", 1)) {
            float[] x = new float[2 * 5 * 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(1.7 * i);
            }
            Map<String, Feed> feeds = Map.of("x", Feed.floats(x, 2, 5, 2));
            SplicedModel.Clean clean = m.clean(feeds);
            assertEquals("[2, 5, 3]", clean.tap().shapeText());
            assertBitEqual(
                    clean.outputs().get("out"), m.spliced(feeds, clean.tap()).get("out"));
        }
    }

    @Test
    void aReplacementOfAnotherShapeIsRefused() throws Exception {
        try (SplicedModel m = SplicedModel.of(TinyModels.sequence(), Path.of("sequence.onnx"), "h", 1)) {
            Map<String, Feed> feeds = Map.of("x", Feed.floats(new float[12], 1, 6, 2));
            // [1, 1, 3] would broadcast over the 6 timesteps of Neg's input without the check
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> m.spliced(feeds, FloatTensor.of(new float[3], 1, 1, 3)));
            assertTrue(e.getMessage().contains("[1, 1, 3]") && e.getMessage().contains("[1, 6, 3]"), e.getMessage());
        }
    }

    @Test
    void wrongFeedsAreNamed() throws Exception {
        try (SplicedModel m = SplicedModel.of(TinyModels.mlp(), Path.of("mlp.onnx"), "hidden", 1)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> m.clean(Map.of("input", Feed.floats(X, 3, 4))));
            assertTrue(e.getMessage().contains("takes the inputs [x]"), e.getMessage());
            assertFalse(m.outputs().contains("hidden"));
        }
    }

    static void assertBitEqual(FloatTensor expected, FloatTensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] a = expected.data();
        float[] b = actual.data();
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                throw new AssertionError("value " + i + " of " + expected.shapeText() + " differs: " + a[i] + " vs "
                        + b[i] + " (" + Math.abs(a[i] - b[i]) + " apart)");
            }
        }
    }
}
