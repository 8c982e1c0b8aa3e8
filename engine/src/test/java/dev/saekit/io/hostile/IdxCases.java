package dev.saekit.io.hostile;

import static dev.saekit.io.hostile.Case.Expect.BAD_VALUES;
import static dev.saekit.io.hostile.Case.Expect.REFUSED;
import static dev.saekit.io.hostile.Case.Expect.VALID;
import static dev.saekit.io.hostile.DataBytes.concat;
import static dev.saekit.io.hostile.DataBytes.gzip;
import static dev.saekit.io.hostile.DataBytes.idx;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** IDX files, plain and gzip-compressed: magic, type, rank and dimensions abused; truncated, extended, concatenated and bombed streams. */
final class IdxCases {
    private IdxCases() {}

    static void write(Corpus c) {
        byte[] images = idx(0x08, new long[] {10, 4, 4}, c.bytes(160));
        String ok = "idx: valid";
        c.file("idx/valid-images-idx3-ubyte", ok, VALID, images);
        c.file("idx/valid-labels-idx1-ubyte", ok, VALID, idx(0x08, new long[] {10}, c.bytes(10)));
        c.file("idx/valid_i1.idx", ok, VALID, idx(0x09, new long[] {4, 4}, c.bytes(16)));
        ByteBuffer shorts = ByteBuffer.allocate(32);
        for (int i = 0; i < 16; i++) {
            shorts.putShort((short) (i * 100 - 700));
        }
        c.file("idx/valid_i2.idx", ok, VALID, idx(0x0B, new long[] {4, 4}, shorts.array()));
        ByteBuffer ints = ByteBuffer.allocate(64);
        for (int i = 0; i < 16; i++) {
            ints.putInt(i * 1000 - 7000);
        }
        c.file("idx/valid_i4.idx", ok, VALID, idx(0x0C, new long[] {4, 4}, ints.array()));
        c.file(
                "idx/valid_f4.idx",
                ok,
                VALID,
                idx(0x0D, new long[] {4, 4}, DataBytes.floats(java.nio.ByteOrder.BIG_ENDIAN, c.normal(16))));
        c.file(
                "idx/valid_f8.idx",
                ok,
                VALID,
                idx(0x0E, new long[] {4, 4}, DataBytes.doubles(java.nio.ByteOrder.BIG_ENDIAN, c.normalDoubles(16))));
        c.file("idx/valid_pixels_row_axes_2.idx", "idx: valid, --row-axes 2", VALID, null, 2, images);
        c.file("idx/empty_zero_images.idx", "idx: values", BAD_VALUES, idx(0x08, new long[] {0, 4, 4}, new byte[0]));
        c.file(
                "idx/float_nan.idx",
                "idx: values",
                BAD_VALUES,
                idx(0x0D, new long[] {2, 2}, DataBytes.floats(java.nio.ByteOrder.BIG_ENDIAN, 1, Float.NaN, 3, 4)));

        String header = "idx: header";
        c.file(
                "idx/bad_magic.idx",
                header,
                REFUSED,
                concat(new byte[] {1}, Arrays.copyOfRange(images, 1, images.length)));
        c.file("idx/short_magic.idx", header, REFUSED, new byte[] {0, 0});
        for (int type : new int[] {0x00, 0x0A, 0x0F, 0xFF}) {
            byte[] b = images.clone();
            b[2] = (byte) type;
            c.file(String.format("idx/type_%02x.idx", type), header, REFUSED, b);
        }
        for (int rank : new int[] {0, 33, 255}) {
            byte[] b = images.clone();
            b[3] = (byte) rank;
            c.file("idx/rank_" + rank + ".idx", header, REFUSED, b);
        }
        c.file(
                "idx/rank_says_4_has_3.idx",
                header,
                REFUSED,
                Arrays.copyOf(
                        concat(new byte[] {0, 0, 8, 4}, Arrays.copyOfRange(images, 4, images.length)), images.length));
        c.file("idx/dimensions_truncated.idx", header, REFUSED, Arrays.copyOf(images, 9));
        c.file(
                "idx/dimensions_overflow.idx",
                header,
                REFUSED,
                idx(0x0E, new long[] {0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL}, new byte[8]));
        c.file(
                "idx/huge_dimensions_tiny_file.idx",
                header,
                REFUSED,
                idx(0x08, new long[] {65536, 65536}, new byte[16]));

        String data = "idx: data size";
        c.file("idx/data_truncated.idx", data, REFUSED, Arrays.copyOf(images, images.length - 1));
        c.file("idx/data_trailing_garbage.idx", data, REFUSED, concat(images, "garbage".getBytes()));

        String gz = "idx.gz: gzip stream";
        byte[] compressed = gzip(images);
        c.file("idx/valid-images-idx3-ubyte.gz", "idx.gz: valid", VALID, compressed);
        c.file(
                "idx/valid_concatenated_members.idx.gz",
                "idx.gz: valid, concatenated members (as gunzip reads them)",
                VALID,
                concat(gzip(Arrays.copyOf(images, 50)), gzip(Arrays.copyOfRange(images, 50, images.length))));
        c.file(
                "idx/valid_header_fields.idx.gz",
                "idx.gz: valid, FEXTRA FNAME FCOMMENT FHCRC",
                VALID,
                DataBytes.gzipMember(images, new byte[] {'A', 'B', 2, 0, 1, 2}, "images", "comment", true));
        c.file(
                "idx/valid_empty_member_after.idx.gz",
                "idx.gz: valid, concatenated members (as gunzip reads them)",
                VALID,
                concat(compressed, gzip(new byte[0])));
        c.file("idx/trailing_garbage.gz", gz, REFUSED, concat(compressed, "garbage!".getBytes()));
        c.file("idx/trailing_zeros.gz", gz, REFUSED, concat(compressed, new byte[1024]));
        c.file("idx/trailing_half_member.gz", gz, REFUSED, concat(compressed, Arrays.copyOf(compressed, 12)));
        c.file("idx/truncated_stream.gz", gz, REFUSED, Arrays.copyOf(compressed, compressed.length / 2));
        c.file("idx/truncated_trailer.gz", gz, REFUSED, Arrays.copyOf(compressed, compressed.length - 3));
        c.file("idx/header_only.gz", gz, REFUSED, Arrays.copyOf(compressed, 10));
        byte[] crc = compressed.clone();
        crc[crc.length - 8] ^= 1;
        c.file("idx/crc_wrong.gz", gz, REFUSED, crc);
        byte[] size = compressed.clone();
        size[size.length - 1] ^= 1;
        c.file("idx/isize_wrong.gz", gz, REFUSED, size);
        byte[] corrupt = compressed.clone();
        corrupt[14] ^= (byte) 0xFF;
        c.file("idx/corrupt_deflate.gz", gz, REFUSED, corrupt);
        byte[] method = compressed.clone();
        method[2] = 7;
        c.file("idx/method_7.gz", gz, REFUSED, method);
        byte[] reserved = compressed.clone();
        reserved[3] = (byte) 0x80;
        c.file("idx/reserved_flags.gz", gz, REFUSED, reserved);
        byte[] hcrc = DataBytes.gzipMember(images, null, "x", null, true);
        hcrc[12] ^= 1; // inside FNAME, so the header CRC no longer matches
        c.file("idx/header_crc_wrong.gz", gz, REFUSED, hcrc);
        c.file("idx/name_never_terminated.gz", gz, REFUSED, new byte[] {
            0x1F, (byte) 0x8B, 8, 8, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c'
        });
        c.file("idx/gzip_of_nothing.gz", gz, REFUSED, gzip(new byte[0]));
        c.file("idx/gzip_of_json.gz", gz, REFUSED, gzip("{\"not\": \"idx\"}".getBytes()));
        c.file("idx/gzip_short_data.gz", gz, REFUSED, gzip(Arrays.copyOf(images, images.length - 10)));
        c.file("idx/gzip_long_data.gz", gz, REFUSED, gzip(concat(images, new byte[10])));
        c.file(
                "idx/gzip_declares_1gb_holds_16.gz",
                "idx.gz: bombs and lies",
                REFUSED,
                gzip(idx(0x08, new long[] {1000, 1000, 1000}, new byte[16])));
        c.file(
                "idx/gzip_bomb_64mib_past_header.gz",
                "idx.gz: bombs and lies",
                REFUSED,
                gzip(Arrays.copyOf(idx(0x08, new long[] {8}, new byte[8]), 12 + (64 << 20))));
        c.file(
                "idx/gzip_second_member_corrupt.gz",
                gz,
                REFUSED,
                concat(gzip(Arrays.copyOf(images, 50)), corruptMember(images)));
    }

    /** A gzip member of the rest of {@code images} whose deflate data is damaged. */
    private static byte[] corruptMember(byte[] images) {
        byte[] m = gzip(Arrays.copyOfRange(images, 50, images.length));
        m[12] ^= (byte) 0xFF;
        return m;
    }
}
