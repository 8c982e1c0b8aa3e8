package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit onnx-info} on hand-built models. */
class OnnxInfoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void listsInputsOutputsAndTappableTensorsWithShapes() throws IOException {
        Path model = Files.write(tmp.resolve("mlp.onnx"), TinyModels.mlp());
        CliRun run = CliRun.of("onnx-info", "--model", model.toString());
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertTrue(out.contains("format    ONNX IR 8, opsets ai.onnx 13, made by saekit-tests"), out);
        assertTrue(out.contains("inputs\n  x  float  [N, 4]\n"), out);
        assertTrue(out.contains("outputs\n  y  float  [N, 2]\n"), out);
        assertTrue(out.contains("tappable tensors: 3, in graph order"), out);
        assertTrue(
                out.contains(
                        "  MatMul  hidden_pre  float  [N, 3]\n  Relu    hidden      float  [N, 3]\n  MatMul  y           float  [N, 2]\n"),
                out);
    }

    @Test
    void sampleShapesGiveTheShapesOfARunAndFilterNarrowsTheList() throws IOException {
        Path model = Files.write(tmp.resolve("seq.onnx"), TinyModels.sequence());
        CliRun run =
                CliRun.of("onnx-info", "--model", model.toString(), "--sample-shape", "x=2,5,2", "--filter", "Relu");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out()
                        .contains(
                                "tappable tensors: 3 (1 contain 'Relu'), in graph order, with the operator that computes them;"
                                        + " shapes of one run on zeros of x=2,5,2\n  Relu  h  float  [2, 5, 3]\n"),
                run.out());
    }

    @Test
    void aFileThatIsNotAModelIsOneErrorLine() throws IOException {
        Path notes = Files.writeString(tmp.resolve("notes.onnx"), "not a model\n");
        CliRun run = CliRun.of("onnx-info", "--model", notes.toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("saekit: error: " + notes + ": not an ONNX model"), run.err());

        CliRun missing =
                CliRun.of("onnx-info", "--model", tmp.resolve("missing.onnx").toString());
        assertEquals(1, missing.exitCode());
        assertEquals(
                "saekit: error: " + tmp.resolve("missing.onnx") + ": no such model file",
                missing.err().strip());
    }

    @Test
    void badSampleShapesAreUsageErrors() throws IOException {
        Path model = Files.write(tmp.resolve("seq.onnx"), TinyModels.sequence());
        CliRun run = CliRun.of("onnx-info", "--model", model.toString(), "--sample-shape", "x:2,5,2");
        assertEquals(2, run.exitCode());
        assertEquals(
                "saekit: error: --sample-shape must be NAME=D,D,... (e.g. x=1,3,48,320), was 'x:2,5,2'",
                run.err().strip());
        assertEquals(
                2,
                CliRun.of("onnx-info", "--model", model.toString(), "--sample-shape", "x=2,0,2")
                        .exitCode());
        assertEquals(2, CliRun.of("onnx-info").exitCode()); // --model is required
    }
}
