package dev.saekit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.MalformedFileException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading a graph from the wire format, and declaring extra outputs. */
class OnnxGraphTest {

    @Test
    void readsInputsOutputsAndTheTensorsNodesProduce() throws Exception {
        OnnxGraph g = OnnxGraph.parse(TinyModels.mlp(), "mlp.onnx");
        assertEquals(8, g.irVersion());
        assertEquals("saekit-tests", g.producer());
        assertEquals(List.of("ai.onnx 13"), g.opsets());
        // the initializers W1, W2 are not inputs a caller feeds
        assertEquals(List.of(new TensorSpec("x", ElementType.FLOAT, Optional.of(List.of("N", "4")))), g.inputs());
        assertEquals(List.of(new TensorSpec("y", ElementType.FLOAT, Optional.of(List.of("N", "2")))), g.outputs());
        assertEquals(
                List.of(
                        new OnnxGraph.InnerTensor("hidden_pre", "MatMul"),
                        new OnnxGraph.InnerTensor("hidden", "Relu"),
                        new OnnxGraph.InnerTensor("y", "MatMul")),
                g.innerTensors());
        assertEquals("[N, 4]", g.inputs().get(0).shapeText());
        assertEquals(Optional.empty(), g.declared("hidden"));
    }

    @Test
    void extraOutputsAreAppendedOnceAndTheRestIsKept() throws Exception {
        OnnxGraph g = OnnxGraph.parse(TinyModels.mlp(), "mlp.onnx");
        byte[] tapped = g.withExtraOutputs(List.of("hidden", "y", "hidden_pre", "hidden"));
        OnnxGraph t = OnnxGraph.parse(tapped, "tapped");
        // y was already an output; hidden is named twice but added once
        assertEquals(
                List.of("y", "hidden", "hidden_pre"),
                t.outputs().stream().map(TensorSpec::name).toList());
        assertEquals(TensorSpec.unknown("hidden"), t.outputs().get(1));
        assertEquals(g.inputs(), t.inputs());
        assertEquals(g.innerTensors(), t.innerTensors());
        assertEquals(g.producer(), t.producer());
        assertTrue(tapped.length > TinyModels.mlp().length);
        assertEquals(TinyModels.mlp().length, g.withExtraOutputs(List.of()).length);
    }

    @Test
    void bytesThatAreNotAProtocolBufferAreRejected() {
        MalformedFileException e = assertThrows(
                MalformedFileException.class,
                () -> OnnxGraph.parse("this is not a model\n".getBytes(StandardCharsets.UTF_8), "notes.txt"));
        assertTrue(e.getMessage().startsWith("notes.txt: not an ONNX model"), e.getMessage());
    }

    @Test
    void aProtocolBufferWithoutAGraphIsRejected() {
        byte[] onlyIrVersion = {0x08, 0x08}; // field 1, varint 8
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> OnnxGraph.parse(onlyIrVersion, "empty.onnx"));
        assertEquals("empty.onnx: not an ONNX model: it has no graph (field 7 of ModelProto)", e.getMessage());
    }

    @Test
    void anEmptyFileIsRejected() {
        assertThrows(MalformedFileException.class, () -> OnnxGraph.parse(new byte[0], "zero.onnx"));
    }
}
