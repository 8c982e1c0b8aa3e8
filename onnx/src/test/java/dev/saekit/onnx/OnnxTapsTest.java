package dev.saekit.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tapping inner tensors of a hand-built model in ONNX Runtime. */
class OnnxTapsTest {
    @TempDir
    Path dir;

    /**
     * x1 = [1, 2, 3, 4]: x1 @ W1 = [1+3, 2-4, -1+3] = [4, -2, 2], relu [4, 0, 2], @ W2 = [4+10, 8+12] = [14, 20].
     * x2 = [-1, 0, 1, 0]: x2 @ W1 = [-1+1, 0, 1+1] = [0, 0, 2], relu [0, 0, 2], @ W2 = [10, 12].
     */
    private static final FloatTensor X = FloatTensor.of(new float[] {1, 2, 3, 4, -1, 0, 1, 0}, 2, 4);

    private Path write(String name, byte[] model) throws IOException {
        return Files.write(dir.resolve(name), model);
    }

    @Test
    void aTapReturnsTheInnerTensorTheModelComputes() throws IOException {
        try (OnnxTaps taps = OnnxTaps.open(write("mlp.onnx", TinyModels.mlp()), List.of("hidden", "hidden_pre"))) {
            Map<String, FloatTensor> out = taps.run(Map.of("x", X));
            assertEquals(List.of("hidden", "hidden_pre", "y"), List.copyOf(out.keySet()));
            assertArrayEquals(new float[] {4, 0, 2, 0, 0, 2}, out.get("hidden").data());
            assertArrayEquals(new long[] {2, 3}, out.get("hidden").shape());
            assertArrayEquals(
                    new float[] {4, -2, 2, 0, 0, 2}, out.get("hidden_pre").data());
            assertArrayEquals(new float[] {14, 20, 10, 12}, out.get("y").data());
            assertEquals(List.of("hidden", "hidden_pre"), taps.taps());
            assertEquals("x float [N, 4]", taps.inputs().get(0).toString());
        }
    }

    @Test
    void theModelFileIsIdentifiedByItsSha256() throws IOException {
        Path file = write("mlp.onnx", TinyModels.mlp());
        try (OnnxTaps taps = OnnxTaps.open(file, List.of("hidden"))) {
            assertEquals(OrtSessions.sha256(Files.readAllBytes(file)), taps.sha256());
            assertEquals(64, taps.sha256().length());
        }
    }

    @Test
    void anUnknownTapNameIsRejectedWithCloseNames() throws IOException {
        Path file = write("mlp.onnx", TinyModels.mlp());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OnnxTaps.open(file, List.of("hiden")));
        assertTrue(
                e.getMessage().startsWith("no tensor named 'hiden' in " + file + "; close names: hidden, "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(saekit onnx-info lists all 3)"), e.getMessage());
    }

    @Test
    void inputsDuplicatesAndNothingAreNotTaps() throws IOException {
        Path file = write("mlp.onnx", TinyModels.mlp());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxTaps.open(file, List.of("x")))
                .getMessage()
                .startsWith("'x' is an input of " + file + ", not a tensor a node computes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxTaps.open(file, List.of("W1")))
                .getMessage()
                .startsWith("no tensor named 'W1'"));
        assertEquals(
                "tap 'hidden' is given twice",
                assertThrows(IllegalArgumentException.class, () -> OnnxTaps.open(file, List.of("hidden", "hidden")))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> OnnxTaps.open(file, List.of()));
    }

    @Test
    void badFilesAreReportedByName() throws IOException {
        Path text = write("notes.onnx", "hello, world\n".getBytes());
        assertThrows(MalformedFileException.class, () -> OnnxTaps.open(text, List.of("y")));
        assertThrows(NoSuchFileException.class, () -> OnnxTaps.open(dir.resolve("missing.onnx"), List.of("y")));
        Path unknownOp = write("unknown.onnx", TinyModels.unknownOperator());
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> OnnxTaps.open(unknownOp, List.of("z")));
        assertTrue(e.getMessage().startsWith(unknownOp + ": ONNX Runtime cannot load it: "), e.getMessage());
        assertTrue(e.getMessage().contains("NoSuchOperator"), e.getMessage());
    }

    @Test
    void wrongInputsAreRejectedWithWhatTheModelTakes() throws IOException {
        try (OnnxTaps taps = OnnxTaps.open(write("mlp.onnx", TinyModels.mlp()), List.of("hidden"))) {
            IllegalArgumentException name =
                    assertThrows(IllegalArgumentException.class, () -> taps.run(Map.of("input", X)));
            assertEquals("mlp.onnx takes the inputs [x float [N, 4]], was given [input]", name.getMessage());
            FloatTensor wide = FloatTensor.of(new float[10], 2, 5);
            IllegalArgumentException shape =
                    assertThrows(IllegalArgumentException.class, () -> taps.run(Map.of("x", wide)));
            assertTrue(
                    shape.getMessage()
                            .startsWith(
                                    "ONNX Runtime could not run mlp.onnx on [x [2, 5]] (it takes [x float [N, 4]]): "),
                    shape.getMessage());
        }
    }
}
