package dev.saekit.io.hostile;

import static dev.saekit.io.hostile.Case.Expect.BAD_VALUES;
import static dev.saekit.io.hostile.Case.Expect.REFUSED;
import static dev.saekit.io.hostile.Case.Expect.VALID;
import static dev.saekit.io.hostile.DataBytes.concat;
import static dev.saekit.io.hostile.DataBytes.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Safetensors files: the header length, the JSON, each entry's dtype, shape and offsets abused; the data buffer's length. */
final class SafetensorsCases {
    private SafetensorsCases() {}

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }

    static void write(Corpus c) {
        byte[] f32 = DataBytes.floats(ByteOrder.LITTLE_ENDIAN, c.normal(20));
        String x = entry("x", "F32", "[4,5]", 0, 80);
        byte[] valid = safetensors("{" + x + "}", f32);
        String ok = "safetensors: valid";
        c.file("safetensors/valid_f32.safetensors", ok, VALID, valid);
        c.file(
                "safetensors/valid_metadata.safetensors",
                ok,
                VALID,
                safetensors("{\"__metadata__\":{\"format\":\"pt\"}," + x + "}", f32));
        c.file(
                "safetensors/valid_bf16.safetensors",
                ok,
                VALID,
                safetensors(
                        "{" + entry("x", "BF16", "[2,2]", 0, 8) + "}",
                        new byte[] {(byte) 0x80, 0x3f, 0, 0x40, 0x40, 0x40, (byte) 0x80, 0x40}));
        c.file(
                "safetensors/valid_f16.safetensors",
                ok,
                VALID,
                safetensors(
                        "{" + entry("x", "F16", "[2,2]", 0, 8) + "}", new byte[] {0, 0x3c, 0, 0x40, 0, 0x42, 0, 0x44}));
        ByteBuffer ints = ByteBuffer.allocate(32)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1)
                .putLong(-2)
                .putLong(1L << 53)
                .putLong(7);
        c.file(
                "safetensors/valid_i64_beyond_2_53.safetensors",
                ok,
                VALID,
                safetensors("{" + entry("x", "I64", "[2,2]", 0, 32) + "}", ints.array()));
        c.file(
                "safetensors/valid_u8_bool.safetensors",
                ok,
                VALID,
                "b",
                1,
                safetensors(
                        "{" + entry("a", "U8", "[2,2]", 0, 4) + "," + entry("b", "BOOL", "[2,2]", 4, 8) + "}",
                        new byte[] {1, 2, 3, 4, 0, 1, 2, 0}));
        c.file("safetensors/valid_padded_header.safetensors", ok, VALID, safetensors("{" + x + "}        ", f32));
        c.file(
                "safetensors/valid_tokens_row_axes_2.safetensors",
                ok,
                VALID,
                null,
                2,
                safetensors("{" + entry("x", "F32", "[2,2,5]", 0, 80) + "}", f32));
        c.file(
                "safetensors/two_tensors_no_name.safetensors",
                "safetensors: a name is needed",
                REFUSED,
                safetensors(
                        "{" + entry("a", "F32", "[2,5]", 0, 40) + "," + entry("b", "F32", "[2,5]", 40, 80) + "}", f32));

        float[] inf = c.normal(20);
        inf[3] = Float.NEGATIVE_INFINITY;
        c.file(
                "safetensors/infinity.safetensors",
                "safetensors: values",
                BAD_VALUES,
                safetensors("{" + x + "}", DataBytes.floats(ByteOrder.LITTLE_ENDIAN, inf)));
        c.file(
                "safetensors/empty_tensor.safetensors",
                "safetensors: values",
                BAD_VALUES,
                safetensors("{" + entry("x", "F32", "[0,5]", 0, 0) + "}", new byte[0]));

        String length = "safetensors: header length";
        c.file("safetensors/zero_bytes.safetensors", length, REFUSED, new byte[0]);
        c.file("safetensors/short_length_field.safetensors", length, REFUSED, new byte[] {8, 0, 0});
        for (long n : new long[] {0, 1L << 40, -1L, 100_000_001L, valid.length}) {
            byte[] b = valid.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            c.file("safetensors/header_length_" + Long.toUnsignedString(n) + ".safetensors", length, REFUSED, b);
        }

        String json = "safetensors: header JSON";
        String[] headers = {
            "not json",
            "[1, 2, 3]",
            "{" + x + "} trailing",
            "{" + x + ",}",
            "{\"x\": 1}",
            "{\"x\": []}",
            "{" + x.replace("\"F32\"", "\"X99\"") + "}",
            "{" + x.replace("\"F32\"", "\"F8_E4M3\"") + "}",
            "{" + x.replace("\"F32\"", "32") + "}",
            "{" + x.replace("[4,5]", "[4,-5]") + "}",
            "{" + x.replace("[4,5]", "\"4x5\"") + "}",
            "{" + x.replace("[4,5]", "[4.0,5]") + "}",
            "{" + x.replace("[4,5]", "[[4],5]") + "}",
            "{" + x.replace("[4,5]", "[4611686018427387904,4611686018427387904]") + "}",
            "{" + x.replace("[0,80]", "[80,0]") + "}",
            "{" + x.replace("[0,80]", "[0,8000]") + "}",
            "{" + x.replace("[0,80]", "[4,84]") + "}",
            "{" + x.replace("[0,80]", "[0,76]") + "}",
            "{" + x.replace(",\"data_offsets\":[0,80]", "") + "}",
            "{" + x.replace("}", ",\"extra\":1}") + "}",
            "{\"__metadata__\":{\"a\":1}," + x + "}",
            "{" + x + "," + x + "}",
            "{" + entry("a", "F32", "[2,5]", 0, 40) + "," + entry("b", "F32", "[2,5]", 20, 60) + "}",
            "{" + entry("a", "F32", "[2,5]", 0, 40) + "," + entry("b", "F32", "[1,5]", 60, 80) + "}",
            "{" + entry("", "F32", "[4,5]", 0, 80) + ",\"\":1}",
            "{" + x.replace("[0,80]", "[0,18446744073709551696]") + "}",
            "{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{}}}}}}",
            "{" + x.replace("[0,80]", "[-80,0]") + "}",
        };
        for (int i = 0; i < headers.length; i++) {
            c.file(
                    String.format("safetensors/header_json_%02d.safetensors", i),
                    json,
                    REFUSED,
                    safetensors(headers[i], f32));
        }
        byte[] badUtf8 = valid.clone();
        badUtf8[10] = (byte) 0xFF;
        c.file("safetensors/header_invalid_utf8.safetensors", json, REFUSED, badUtf8);

        String data = "safetensors: data buffer";
        c.file("safetensors/buffer_truncated.safetensors", data, REFUSED, Arrays.copyOf(valid, valid.length - 4));
        c.file(
                "safetensors/buffer_trailing_bytes.safetensors",
                data,
                REFUSED,
                concat(valid, "extra".getBytes(StandardCharsets.US_ASCII)));
        c.file(
                "safetensors/huge_shape_tiny_buffer.safetensors",
                data,
                REFUSED,
                safetensors("{" + entry("x", "F32", "[1000000000,1000]", 0, 4_000_000_000_000L) + "}", f32));
    }
}
