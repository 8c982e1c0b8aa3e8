package dev.saekit.io.hostile;

import static dev.saekit.io.hostile.Case.Expect.BAD_VALUES;
import static dev.saekit.io.hostile.Case.Expect.REFUSED;
import static dev.saekit.io.hostile.Case.Expect.VALID;
import static dev.saekit.io.hostile.DataBytes.concat;
import static dev.saekit.io.hostile.DataBytes.dict;
import static dev.saekit.io.hostile.DataBytes.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** {@code .npy} files: the three header versions, every header field abused, data sizes that do not match, bad values. */
final class NpyCases {
    private NpyCases() {}

    /** A file with the raw header text {@code header} (no padding) after a version 1.0 prefix, then {@code data}. */
    private static byte[] raw(String header, int dataBytes) {
        byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(10 + text.length + dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) text.length)
                .put(text)
                .array();
    }

    static void write(Corpus c) {
        byte[] f4 = DataBytes.floats(ByteOrder.LITTLE_ENDIAN, c.normal(12));
        byte[] valid = npy(1, dict("<f4", false, 3, 4), f4);
        String category = "npy: valid";
        c.file("npy/valid_v1_f4.npy", category, VALID, valid);
        c.file(
                "npy/valid_v2_f8_3d.npy",
                category,
                VALID,
                npy(2, dict("<f8", false, 2, 3, 4), DataBytes.doubles(ByteOrder.LITTLE_ENDIAN, c.normalDoubles(24))));
        c.file("npy/valid_v3_utf8.npy", category, VALID, npy(3, dict("<f4", false, 3, 4) + " ", f4));
        c.file(
                "npy/valid_big_endian_f4.npy",
                category,
                VALID,
                npy(1, dict(">f4", false, 3, 4), DataBytes.floats(ByteOrder.BIG_ENDIAN, c.normal(12))));
        c.file(
                "npy/valid_fortran_f8.npy",
                "npy: valid, Fortran order (loaded, not streamed)",
                VALID,
                npy(1, dict("<f8", true, 4, 3), DataBytes.doubles(ByteOrder.LITTLE_ENDIAN, c.normalDoubles(12))));
        c.file("npy/valid_i1.npy", category, VALID, npy(1, dict("|i1", false, 4, 4), c.bytes(16)));
        ByteBuffer u8 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4; i++) {
            u8.putLong(c.random().nextInt(100));
        }
        c.file("npy/valid_u8.npy", category, VALID, npy(1, dict("<u8", false, 2, 2), u8.array()));
        c.file("npy/valid_f2.npy", category, VALID, npy(1, dict("<f2", false, 2, 2), new byte[] {
            0, 0x3c, 0, 0x40, 0, 0x42, 0, 0x44
        }));
        c.file("npy/valid_1d_is_one_column.npy", category, VALID, npy(1, dict("<f4", false, 12), f4));
        c.file("npy/valid_scalar.npy", category, VALID, npy(1, dict("<f4", false), Arrays.copyOf(f4, 4)));
        c.file(
                "npy/valid_tokens_row_axes_2.npy",
                "npy: valid, --row-axes 2",
                VALID,
                null,
                2,
                npy(1, dict("<f4", false, 2, 3, 2), f4));
        c.file(
                "npy/valid_python2_long_suffix.npy",
                category,
                VALID,
                raw("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }\n", 48));
        c.file(
                "npy/valid_header_whitespace.npy",
                category,
                VALID,
                raw("{ 'descr' : '<f4' ,\t'fortran_order': False,\n'shape': (3, 4) }\n", 48));

        String values = "npy: values";
        float[] nan = c.normal(12);
        nan[7] = Float.NaN;
        c.file(
                "npy/nan.npy",
                values,
                BAD_VALUES,
                npy(1, dict("<f4", false, 3, 4), DataBytes.floats(ByteOrder.LITTLE_ENDIAN, nan)));
        double[] big = c.normalDoubles(12);
        big[5] = 1e39;
        c.file(
                "npy/f8_beyond_float32.npy",
                values,
                BAD_VALUES,
                npy(1, dict("<f8", false, 3, 4), DataBytes.doubles(ByteOrder.LITTLE_ENDIAN, big)));
        c.file("npy/half_infinity.npy", values, BAD_VALUES, npy(1, dict("<f2", false, 2), new byte[] {0, 0x7c, 0, 0}));
        c.file("npy/empty_rows.npy", values, BAD_VALUES, npy(1, dict("<f4", false, 0, 5), new byte[0]));

        String magic = "npy: magic and version";
        c.file(
                "npy/bad_magic.npy",
                magic,
                REFUSED,
                concat(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'X'}, Arrays.copyOfRange(valid, 6, valid.length)));
        c.file("npy/magic_only.npy", magic, REFUSED, Arrays.copyOf(valid, 6));
        c.file("npy/no_length_field.npy", magic, REFUSED, Arrays.copyOf(valid, 9));
        for (int[] version : new int[][] {{0, 0}, {4, 0}, {1, 1}, {255, 255}}) {
            byte[] b = valid.clone();
            b[6] = (byte) version[0];
            b[7] = (byte) version[1];
            c.file("npy/version_" + version[0] + "_" + version[1] + ".npy", magic, REFUSED, b);
        }

        String length = "npy: header length";
        byte[] longer = valid.clone();
        longer[8] = (byte) 0xFF;
        longer[9] = (byte) 0xFF;
        c.file("npy/header_length_past_end.npy", length, REFUSED, longer);
        byte[] zero = valid.clone();
        zero[8] = 0;
        zero[9] = 0;
        c.file("npy/header_length_zero.npy", length, REFUSED, zero);
        c.file(
                "npy/v2_header_length_4gib.npy",
                length,
                REFUSED,
                concat(
                        new byte[] {
                            (byte) 0x93,
                            'N',
                            'U',
                            'M',
                            'P',
                            'Y',
                            2,
                            0,
                            (byte) 0xFF,
                            (byte) 0xFF,
                            (byte) 0xFF,
                            (byte) 0xFF
                        },
                        new byte[64]));
        c.file(
                "npy/v2_header_length_past_max.npy",
                length,
                REFUSED,
                concat(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 1, 0, 0x10, 0}, new byte[64]));

        String header = "npy: header dict";
        String[] dicts = {
            "not a dict",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), ",
            "{'descr': '<f4', 'fortran_order': False}",
            "{'descr': '<f4', 'shape': (3, 4)}",
            "{'fortran_order': False, 'shape': (3, 4)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'extra': 1}",
            "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<c8', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<U10', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<f4', 'fortran_order': 'maybe', 'shape': (3,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-3, 4)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': [3, 4]}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (12)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': ((3, 4),)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(33) + ")}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)} trailing",
            "{'descr': '<f4\\x00', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }\u0000\u0000",
            "{'descr': \"<f4', 'fortran_order': False, 'shape': (3, 4)}",
        };
        for (int i = 0; i < dicts.length; i++) {
            c.file(String.format("npy/header_dict_%02d.npy", i), header, REFUSED, raw(dicts[i] + "\n", 48));
        }
        byte[] badUtf8 = npy(3, dict("<f4", false, 3, 4), f4);
        badUtf8[20] = (byte) 0xC3; // a lone UTF-8 lead byte inside 'descr'
        c.file("npy/v3_invalid_utf8.npy", header, REFUSED, badUtf8);

        String data = "npy: data size";
        c.file("npy/data_truncated.npy", data, REFUSED, Arrays.copyOf(valid, valid.length - 1));
        c.file("npy/data_one_extra_byte.npy", data, REFUSED, concat(valid, new byte[1]));
        c.file("npy/data_trailing_garbage.npy", data, REFUSED, concat(valid, "trailing garbage".getBytes()));
        c.file(
                "npy/huge_shape_tiny_file.npy",
                data,
                REFUSED,
                npy(1, dict("<f8", false, 1L << 31, 1L << 20), new byte[16]));
        c.file("npy/scalar_no_data.npy", data, REFUSED, npy(1, dict("<f8", false), new byte[0]));
    }
}
