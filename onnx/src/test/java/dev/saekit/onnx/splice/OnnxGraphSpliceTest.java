package dev.saekit.onnx.splice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.saekit.onnx.ElementType;
import dev.saekit.onnx.OnnxGraph;
import dev.saekit.onnx.TensorSpec;
import dev.saekit.onnx.TinyModels;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The splice edit of {@link OnnxGraph}: readers rewired to a new input, the tensor kept as an output. */
class OnnxGraphSpliceTest {

    @Test
    void readersReadTheNewInputAndTheTensorBecomesAnOutput() throws Exception {
        OnnxGraph g = OnnxGraph.parse(TinyModels.mlp(), "mlp.onnx");
        OnnxGraph s = OnnxGraph.parse(g.withSplice("hidden"), "spliced");
        // hidden__in is float with no shape: a declared shape would let ONNX Runtime fuse differently
        assertEquals(
                List.of(g.inputs().get(0), new TensorSpec("hidden__in", ElementType.FLOAT, Optional.empty())),
                s.inputs());
        assertEquals(
                List.of("y", "hidden"),
                s.outputs().stream().map(TensorSpec::name).toList());
        assertEquals(g.innerTensors(), s.innerTensors()); // hidden is still computed
        assertEquals("hidden__in", OnnxGraph.spliceInput("hidden"));
        assertEquals(List.of("hidden__in", "W2"), nodeInputs(g.withSplice("hidden"), 2));
        assertEquals(List.of("x", "W1"), nodeInputs(g.withSplice("hidden"), 0));
    }

    @Test
    void unknownTensorsInputsAndInitializersAreRefused() throws Exception {
        OnnxGraph g = OnnxGraph.parse(TinyModels.mlp(), "mlp.onnx");
        String unknown = refusal(g, "hiden");
        assertTrue(unknown.contains("no tensor named 'hiden'") && unknown.contains("close names: hidden"), unknown);
        assertTrue(refusal(g, "x").contains("is an input of mlp.onnx"), refusal(g, "x"));
        assertTrue(refusal(g, "W1").contains("is an initializer"), refusal(g, "W1"));
        assertTrue(refusal(g, "y").contains("no node of mlp.onnx reads 'y'"), refusal(g, "y"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.withSplice(List.of()))
                .getMessage()
                .contains("no tensor to splice"));
    }

    @Test
    void aTensorReadInsideASubgraphIsRefused() throws Exception {
        OnnxGraph g = OnnxGraph.parse(withIfReading("hidden"), "if.onnx");
        String message = refusal(g, "hidden");
        assertTrue(message.contains("read inside the subgraph of If node 'branch'"), message);
        // hidden_pre is read only in the main graph
        OnnxGraph.parse(g.withSplice("hidden_pre"), "spliced");
    }

    private static String refusal(OnnxGraph g, String tensor) {
        return assertThrows(IllegalArgumentException.class, () -> g.withSplice(tensor))
                .getMessage();
    }

    /** The inputs of node {@code index} of a model's graph. */
    private static List<String> nodeInputs(byte[] model, int index) throws Exception {
        UnknownFieldSet graph = UnknownFieldSet.parseFrom(UnknownFieldSet.parseFrom(model)
                .getField(7)
                .getLengthDelimitedList()
                .get(0));
        UnknownFieldSet node = UnknownFieldSet.parseFrom(
                graph.getField(1).getLengthDelimitedList().get(index));
        return node.getField(1).getLengthDelimitedList().stream()
                .map(ByteString::toStringUtf8)
                .toList();
    }

    /** The MLP with an extra {@code If} node whose then-branch reads {@code tensor} from the outer scope. */
    private static byte[] withIfReading(String tensor) throws Exception {
        UnknownFieldSet model = UnknownFieldSet.parseFrom(TinyModels.mlp());
        UnknownFieldSet graph = UnknownFieldSet.parseFrom(
                model.getField(7).getLengthDelimitedList().get(0));
        ByteString inner = message(1, str(tensor), 2, str("copy"), 4, str("Identity"));
        ByteString body = message(1, inner, 2, str("then"));
        ByteString attribute = message(1, str("then_branch"), 6, body);
        ByteString ifNode = message(1, str("cond"), 2, str("branch_out"), 3, str("branch"), 4, str("If"), 5, attribute);
        UnknownFieldSet newGraph = UnknownFieldSet.newBuilder(graph)
                .mergeField(
                        1,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ifNode)
                                .build())
                .build();
        return UnknownFieldSet.newBuilder(model)
                .addField(
                        7,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(newGraph.toByteString())
                                .build())
                .build()
                .toByteArray();
    }

    private static ByteString str(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** A message of length-delimited fields given as number, value, number, value, ... */
    private static ByteString message(Object... fields) {
        UnknownFieldSet.Builder b = UnknownFieldSet.newBuilder();
        for (int i = 0; i < fields.length; i += 2) {
            b.mergeField(
                    (Integer) fields[i],
                    UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited((ByteString) fields[i + 1])
                            .build());
        }
        return b.build().toByteString();
    }
}
