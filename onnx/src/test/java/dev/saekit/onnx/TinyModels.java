package dev.saekit.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Small ONNX models written field by field with protobuf-java (no generated ONNX classes, no
 * downloads), with weights chosen so that every value can be worked out by hand.
 */
public final class TinyModels {
    /**
     * {@code hidden_pre = x @ W1}, {@code hidden = relu(hidden_pre)}, {@code y = hidden @ W2}.
     * x is float [N, 4]; y, the only declared output, is float [N, 2].
     */
    public static final float[][] W1 = {{1, 0, -1}, {0, 1, 0}, {1, 0, 1}, {0, -1, 0}};

    public static final float[][] W2 = {{1, 2}, {3, 4}, {5, 6}};
    /** {@code h = relu(x @ W)}, x float [N, T, 2] and the output {@code out = -h}. */
    public static final float[][] W_SEQ = {{1, -1, 2}, {0, 1, -1}};

    private TinyModels() {}

    /** The two-layer perceptron of {@link #W1} and {@link #W2}. */
    public static byte[] mlp() {
        return model(graph(
                "mlp",
                List.of(
                        node("MatMul", List.of("x", "W1"), "hidden_pre"),
                        node("Relu", List.of("hidden_pre"), "hidden"),
                        node("MatMul", List.of("hidden", "W2"), "y")),
                List.of(initializer("W1", W1), initializer("W2", W2)),
                List.of(valueInfo("x", "N", "4")),
                List.of(valueInfo("y", "N", "2"))));
    }

    /** A model over sequences: {@code h = relu(x @ W_SEQ)} is [N, T, 3]; the output is {@code out = -h}. */
    public static byte[] sequence() {
        return model(graph(
                "sequence",
                List.of(
                        node("MatMul", List.of("x", "W"), "h_pre"),
                        node("Relu", List.of("h_pre"), "h"),
                        node("Neg", List.of("h"), "out")),
                List.of(initializer("W", W_SEQ)),
                List.of(valueInfo("x", "N", "T", "2")),
                List.of(valueInfo("out", "N", "T", "3"))));
    }

    /** {@code r = relu(x)}, {@code out = -r}, for x float [N, C] with any C: its rows change width with the input. */
    public static byte[] anyWidth() {
        return model(graph(
                "any_width",
                List.of(node("Relu", List.of("x"), "r"), node("Neg", List.of("r"), "out")),
                List.of(),
                List.of(valueInfo("x", "N", "C")),
                List.of(valueInfo("out", "N", "C"))));
    }

    /** A well-formed file that names an operator no runtime has: it parses, but ONNX Runtime refuses it. */
    public static byte[] unknownOperator() {
        return model(graph(
                "unknown_op",
                List.of(node("NoSuchOperator", List.of("x"), "z"), node("Relu", List.of("z"), "y")),
                List.of(),
                List.of(valueInfo("x", "N", "4")),
                List.of(valueInfo("y", "N", "4"))));
    }

    // ------------------------------------------------------------- the wire format, field by field

    private static byte[] model(ByteString graph) {
        ByteString opset = message().string(1, "").varint(2, 13).build();
        return message()
                .varint(1, 8)
                .string(2, "saekit-tests")
                .message(8, opset)
                .message(7, graph)
                .build()
                .toByteArray();
    }

    private static ByteString graph(
            String name,
            List<ByteString> nodes,
            List<ByteString> initializers,
            List<ByteString> inputs,
            List<ByteString> outputs) {
        Msg g = message();
        nodes.forEach(n -> g.message(1, n));
        g.string(2, name);
        initializers.forEach(t -> g.message(5, t));
        inputs.forEach(i -> g.message(11, i));
        outputs.forEach(o -> g.message(12, o));
        return g.build();
    }

    private static ByteString node(String op, List<String> inputs, String output) {
        Msg n = message();
        inputs.forEach(i -> n.string(1, i));
        return n.string(2, output).string(3, op + "_" + output).string(4, op).build();
    }

    /** A float TensorProto: dims (1), data_type FLOAT (2), name (8), raw_data little-endian (9). */
    private static ByteString initializer(String name, float[][] values) {
        ByteBuffer raw =
                ByteBuffer.allocate(values.length * values[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : values) {
            for (float v : row) {
                raw.putFloat(v);
            }
        }
        return message()
                .varint(1, values.length)
                .varint(1, values[0].length)
                .varint(2, 1)
                .string(8, name)
                .bytes(9, ByteString.copyFrom(raw.array()))
                .build();
    }

    /** A float ValueInfoProto; each dim is a number or a symbol. */
    private static ByteString valueInfo(String name, String... dims) {
        Msg shape = message();
        for (String d : dims) {
            shape.message(
                    1,
                    d.chars().allMatch(Character::isDigit)
                            ? message().varint(1, Long.parseLong(d)).build()
                            : message().string(2, d).build());
        }
        ByteString tensorType = message().varint(1, 1).message(2, shape.build()).build();
        return message()
                .string(1, name)
                .message(2, message().message(1, tensorType).build())
                .build();
    }

    private static Msg message() {
        return new Msg();
    }

    /** A protobuf message built from numbered fields. */
    private static final class Msg {
        private final UnknownFieldSet.Builder fields = UnknownFieldSet.newBuilder();

        Msg varint(int number, long value) {
            fields.mergeField(
                    number, UnknownFieldSet.Field.newBuilder().addVarint(value).build());
            return this;
        }

        Msg string(int number, String value) {
            return bytes(number, ByteString.copyFromUtf8(value));
        }

        Msg bytes(int number, ByteString value) {
            fields.mergeField(
                    number,
                    UnknownFieldSet.Field.newBuilder().addLengthDelimited(value).build());
            return this;
        }

        Msg message(int number, ByteString value) {
            return bytes(number, value);
        }

        ByteString build() {
            return fields.build().toByteString();
        }
    }
}
