package dev.saekit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing a model's tensors with their shapes, inferred or observed. */
class OnnxInspectorTest {
    @TempDir
    Path dir;

    private static List<String> described(ModelInfo info) {
        return info.innerTensors().stream()
                .map(t -> t.opType() + " " + t.spec())
                .toList();
    }

    @Test
    void listsEveryTensorWithTheShapeOnnxRuntimeInfers() throws Exception {
        Path file = Files.write(dir.resolve("mlp.onnx"), TinyModels.mlp());
        ModelInfo info = OnnxInspector.inspect(file);
        assertEquals(
                List.of("x float [N, 4]"),
                info.inputs().stream().map(TensorSpec::toString).toList());
        assertEquals(
                List.of("y float [N, 2]"),
                info.outputs().stream().map(TensorSpec::toString).toList());
        assertEquals(
                List.of("MatMul hidden_pre float [N, 3]", "Relu hidden float [N, 3]", "MatMul y float [N, 2]"),
                described(info));
        assertEquals(OrtSessions.sha256(TinyModels.mlp()), info.sha256());
        assertEquals("saekit-tests", info.producer());
        assertFalse(info.observed());
    }

    @Test
    void withSampleShapesItReportsTheShapesOfARun() throws Exception {
        Path file = Files.write(dir.resolve("seq.onnx"), TinyModels.sequence());
        ModelInfo info = OnnxInspector.inspect(file, Map.of("x", new long[] {2, 5, 2}));
        assertEquals(
                List.of("MatMul h_pre float [2, 5, 3]", "Relu h float [2, 5, 3]", "Neg out float [2, 5, 3]"),
                described(info));
        assertTrue(info.observed());
    }

    @Test
    void sampleShapesMustCoverEveryInput() throws Exception {
        Path file = Files.write(dir.resolve("seq.onnx"), TinyModels.sequence());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> OnnxInspector.inspect(file, Map.of("y", new long[] {1, 2})));
        assertTrue(
                e.getMessage().startsWith("a sample shape is needed for each input of seq.onnx: [x float [N, T, 2]]"),
                e.getMessage());
    }
}
