package dev.saekit.onnx.text;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A hand-built "text model" with BERT-style tensor names and no {@code token_type_ids} input, whose
 * activations are the token ids themselves:
 *
 * <pre>
 * /embeddings/LayerNorm/Add_1_output_0                           = float(input_ids * attention_mask) [N, T, 1]
 * /encoder/layer.0/intermediate/intermediate_act_fn/Mul_1_output_0 = -embeddings
 * last_hidden_state                                              = -(-embeddings) = embeddings
 * </pre>
 *
 * One layer, whose residual stream has no tensor of its own: {@code residual:0} is {@code
 * last_hidden_state}.
 */
final class TinyTextModel {
    static final String EMBEDDINGS = "/embeddings/LayerNorm/Add_1_output_0";
    static final String HIDDEN = "/encoder/layer.0/intermediate/intermediate_act_fn/Mul_1_output_0";

    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private TinyTextModel() {}

    static byte[] bytes() {
        Msg g = new Msg();
        g.message(1, node("Cast", List.of("input_ids"), "ids", cast()));
        g.message(1, node("Cast", List.of("attention_mask"), "mask", cast()));
        g.message(1, node("Mul", List.of("ids", "mask"), "masked", null));
        g.message(1, node("Unsqueeze", List.of("masked", "axes"), EMBEDDINGS, null));
        g.message(1, node("Neg", List.of(EMBEDDINGS), HIDDEN, null));
        g.message(1, node("Neg", List.of(HIDDEN), "last_hidden_state", null));
        g.string(2, "tiny_text");
        ByteBuffer axes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(2);
        g.message(
                5,
                new Msg()
                        .varint(1, 1)
                        .varint(2, INT64)
                        .string(8, "axes")
                        .bytes(9, ByteString.copyFrom(axes.array()))
                        .build());
        g.message(11, valueInfo("input_ids", INT64, "N", "T"));
        g.message(11, valueInfo("attention_mask", INT64, "N", "T"));
        g.message(12, valueInfo("last_hidden_state", FLOAT, "N", "T", "1"));
        ByteString opset = new Msg().string(1, "").varint(2, 13).build();
        return new Msg()
                .varint(1, 8)
                .string(2, "saekit-tests")
                .message(8, opset)
                .message(7, g.build())
                .build()
                .toByteArray();
    }

    /** The attribute {@code to = FLOAT} of a Cast. */
    private static ByteString cast() {
        return new Msg().string(1, "to").varint(3, FLOAT).varint(20, 2).build();
    }

    private static ByteString node(String op, List<String> inputs, String output, ByteString attribute) {
        Msg n = new Msg();
        inputs.forEach(i -> n.string(1, i));
        n.string(2, output).string(3, op + "_" + output.replace('/', '_')).string(4, op);
        if (attribute != null) {
            n.message(5, attribute);
        }
        return n.build();
    }

    private static ByteString valueInfo(String name, int type, String... dims) {
        Msg shape = new Msg();
        for (String d : dims) {
            shape.message(
                    1,
                    d.chars().allMatch(Character::isDigit)
                            ? new Msg().varint(1, Long.parseLong(d)).build()
                            : new Msg().string(2, d).build());
        }
        ByteString tensorType =
                new Msg().varint(1, type).message(2, shape.build()).build();
        return new Msg()
                .string(1, name)
                .message(2, new Msg().message(1, tensorType).build())
                .build();
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
