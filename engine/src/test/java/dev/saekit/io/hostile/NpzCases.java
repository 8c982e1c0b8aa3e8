package dev.saekit.io.hostile;

import static dev.saekit.io.hostile.Case.Expect.BAD_VALUES;
import static dev.saekit.io.hostile.Case.Expect.REFUSED;
import static dev.saekit.io.hostile.Case.Expect.VALID;
import static dev.saekit.io.hostile.DataBytes.concat;
import static dev.saekit.io.hostile.DataBytes.dict;
import static dev.saekit.io.hostile.DataBytes.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@code .npz} archives: stored, deflated and zip64 members; the zip structure abused (lying sizes
 * and CRCs, overlapping members, duplicate names, bytes after the end); members that are not
 * {@code .npy} files; honest and dishonest zip bombs.
 */
final class NpzCases {
    private NpzCases() {}

    /** An archive of one member {@code x.npy} holding {@code member}, stored or deflated, after {@code abuse}. */
    private static byte[] one(byte[] member, boolean deflated, Consumer<ZipBuilder.Entry> abuse) {
        ZipBuilder zip = new ZipBuilder();
        abuse.accept(zip.add("x.npy", member, deflated));
        return zip.build();
    }

    static void write(Corpus c) {
        byte[] x = npy(1, dict("<f4", false, 6, 5), DataBytes.floats(ByteOrder.LITTLE_ENDIAN, c.normal(30)));
        byte[] labels = npy(
                1,
                dict("<i8", false, 6),
                ByteBuffer.allocate(48)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(40, 3)
                        .array());
        String valid = "npz: valid";
        c.file("npz/valid_stored.npz", valid, VALID, one(x, false, e -> {}));
        c.file("npz/valid_deflated.npz", valid, VALID, one(x, true, e -> {}));
        ZipBuilder two = new ZipBuilder();
        two.add("x.npy", x, true);
        two.add("labels.npy", labels, false);
        c.file("npz/valid_two_arrays_named.npz", "npz: valid, --name", VALID, "x", 1, two.build());
        c.file("npz/two_arrays_no_name.npz", "npz: a name is needed", REFUSED, two.build());
        c.file("npz/two_arrays_unknown_name.npz", "npz: a name is needed", REFUSED, "y", 1, two.build());
        ZipBuilder side = new ZipBuilder();
        side.add("README.txt", "not an array".getBytes(), true);
        side.add("dir/", new byte[0], false);
        side.add("x.npy", x, true);
        c.file("npz/valid_with_other_members.npz", valid, VALID, side.build());
        ZipBuilder zip64 = new ZipBuilder().zip64End();
        zip64.add("x.npy", x, true).zip64 = true;
        c.file("npz/valid_zip64.npz", valid, VALID, zip64.build());
        c.file("npz/valid_with_comment.npz", valid, VALID, withComment(x));
        c.file("npz/valid_prefixed_offsets_adjusted.npz", valid, VALID, prefixed(x));
        ZipBuilder traversal = new ZipBuilder();
        traversal.add("../../etc/x.npy", x, false);
        c.file("npz/valid_member_path_traversal_name.npz", "npz: valid, odd member name", VALID, traversal.build());
        ZipBuilder control = new ZipBuilder();
        control.add("line\nbreak.npy", x, false);
        c.file("npz/valid_member_name_with_newline.npz", "npz: valid, odd member name", VALID, control.build());

        float[] nan = c.normal(30);
        nan[29] = Float.NaN;
        c.file(
                "npz/nan_deflated.npz",
                "npz: values",
                BAD_VALUES,
                one(npy(1, dict("<f4", false, 6, 5), DataBytes.floats(ByteOrder.LITTLE_ENDIAN, nan)), true, e -> {}));

        String structure = "npz: zip structure";
        byte[] stored = one(x, false, e -> {});
        c.file("npz/not_a_zip.npz", structure, REFUSED, "just some text, not a zip archive at all".getBytes());
        c.file("npz/zero_bytes.npz", structure, REFUSED, new byte[0]);
        c.file("npz/lone_local_header.npz", structure, REFUSED, new byte[] {'P', 'K', 3, 4});
        for (int cut : new int[] {10, stored.length / 2, stored.length - 23, stored.length - 1}) {
            c.file("npz/truncated_at_" + cut + ".npz", structure, REFUSED, Arrays.copyOf(stored, cut));
        }
        c.file("npz/trailing_garbage.npz", structure, REFUSED, concat(stored, "appended".getBytes()));
        c.file("npz/prepended_garbage.npz", structure, REFUSED, concat("#!/bin/sh\nexit 0\n".getBytes(), stored));
        c.file("npz/end_count_too_high.npz", structure, REFUSED, count(x, 1000));
        c.file("npz/directory_offset_past_end.npz", structure, REFUSED, offset(x, 1L << 30));
        c.file("npz/directory_offset_into_data.npz", structure, REFUSED, offset(x, 10));
        ZipBuilder dup = new ZipBuilder();
        dup.add("x.npy", x, false);
        dup.add("x.npy", x, true);
        c.file("npz/duplicate_member.npz", structure, REFUSED, dup.build());
        ZipBuilder shared = new ZipBuilder();
        shared.add("a.npy", x, false);
        shared.add("b.npy", x, false).sameLocalAs = 0;
        c.file("npz/two_records_one_local_header.npz", structure, REFUSED, "a", 1, shared.build());
        ZipBuilder overlap = new ZipBuilder();
        overlap.add("a.npy", x, true).compressedSize = (long) ZipBuilder.deflate(x).length + 50;
        overlap.add("b.npy", x, false);
        c.file("npz/overlapping_members.npz", structure, REFUSED, "b", 1, overlap.build());
        c.file("npz/local_name_differs.npz", structure, REFUSED, one(x, false, e -> e.localName = "y.npy"));
        ZipBuilder shortExtra = new ZipBuilder();
        ZipBuilder.Entry e64 = shortExtra.add("x.npy", x, false);
        e64.zip64 = true;
        e64.size = 0xFFFF_FFFFL; // a zip64 field promised where none is given: the extra field reads the wrong values
        c.file("npz/zip64_sizes_lie.npz", structure, REFUSED, shortExtra.build());

        String member = "npz: member";
        c.file("npz/method_bzip2.npz", member, REFUSED, one(x, false, e -> e.method = 12));
        c.file("npz/method_99.npz", member, REFUSED, one(x, false, e -> e.method = 99));
        c.file("npz/encrypted.npz", member, REFUSED, one(x, false, e -> e.flags = 1));
        c.file("npz/stored_size_mismatch.npz", member, REFUSED, one(x, false, e -> e.size = (long) x.length + 8));
        c.file("npz/stored_crc_wrong.npz", member, REFUSED, one(x, false, e -> e.crc = 0L));
        c.file("npz/deflated_crc_wrong.npz", member, REFUSED, one(x, true, e -> e.crc = 0xDEADBEEFL));
        byte[] deflated = ZipBuilder.deflate(x);
        byte[] corrupt = deflated.clone();
        corrupt[corrupt.length / 2] ^= (byte) 0xFF;
        c.file("npz/deflated_corrupt.npz", member, REFUSED, one(x, true, e -> e.stored = corrupt));
        c.file(
                "npz/deflated_truncated.npz",
                member,
                REFUSED,
                one(x, true, e -> e.stored = Arrays.copyOf(deflated, deflated.length / 2)));
        c.file(
                "npz/bytes_after_deflate_stream.npz",
                member,
                REFUSED,
                one(x, true, e -> e.afterStream = new byte[] {1, 2, 3, 4}));
        c.file("npz/records_more_than_inflates.npz", member, REFUSED, one(x, true, e -> e.size = (long) x.length + 4));
        c.file("npz/records_less_than_inflates.npz", member, REFUSED, one(x, true, e -> e.size = (long) x.length - 4));
        c.file("npz/not_npy_member.npz", member, REFUSED, one("hello, world".getBytes(), true, e -> {}));
        c.file(
                "npz/member_npy_header_declares_more.npz",
                member,
                REFUSED,
                one(npy(1, dict("<f4", false, 600, 5), Arrays.copyOfRange(x, 128, x.length)), true, e -> {}));
        c.file("npz/member_npy_truncated_header.npz", member, REFUSED, one(Arrays.copyOf(x, 40), false, e -> {}));
        ZipBuilder none = new ZipBuilder();
        none.add("README.txt", "no arrays here".getBytes(), true);
        c.file("npz/no_npy_members.npz", member, REFUSED, none.build());
        c.file("npz/empty_archive.npz", member, REFUSED, new ZipBuilder().build());

        String bombs = "npz: zip bombs";
        c.file("npz/bomb_lying_record_1tib.npz", bombs, REFUSED, one(x, true, e -> {
            e.size = 1L << 40;
            e.zip64 = true;
        }));
        byte[] bombHeader = npy(1, dict("<f4", false, 8), new byte[0]);
        byte[] excess = concat(bombHeader, new byte[32 + (64 << 20)]); // declares 32 bytes, inflates to 64 MiB more
        c.file(
                "npz/bomb_inflates_past_its_header.npz",
                bombs,
                REFUSED,
                one(excess, true, e -> e.size = (long) bombHeader.length + 32));
        c.file(
                "npz/bomb_honest_256mib.npz",
                "npz: zip bombs, honest (256 MiB of float32 from 256 KiB)",
                VALID,
                honestBomb());
    }

    private static byte[] withComment(byte[] x) {
        ZipBuilder zip = new ZipBuilder().comment("a comment after the end record, as zip allows".getBytes());
        zip.add("x.npy", x, true);
        return zip.build();
    }

    /** A script before the archive, its offsets counted from the start of the file (what {@code zip -A} makes). */
    private static byte[] prefixed(byte[] x) {
        ZipBuilder zip = new ZipBuilder().prefix("#!/bin/sh\nexit 0\n".getBytes());
        zip.add("x.npy", x, false);
        return zip.build();
    }

    private static byte[] count(byte[] x, int n) {
        ZipBuilder zip = new ZipBuilder().countOverride(n);
        zip.add("x.npy", x, false);
        return zip.build();
    }

    private static byte[] offset(byte[] x, long at) {
        ZipBuilder zip = new ZipBuilder().directoryOffsetOverride(at);
        zip.add("x.npy", x, false);
        return zip.build();
    }

    /** float32 [32768, 2048], zero but for a ramp in the last row: 256 MiB deflated to about 256 KiB. */
    private static byte[] honestBomb() {
        int rows = 32768;
        int cols = 2048;
        byte[] header = npy(1, dict("<f4", false, rows, cols), new byte[0]);
        java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        byte[] zeros = new byte[4 * cols];
        byte[] last = DataBytes.floats(ByteOrder.LITTLE_ENDIAN, DataBytes.ramp(cols));
        for (int r = -1; r < rows; r++) {
            byte[] piece = r < 0 ? header : r == rows - 1 ? last : zeros;
            crc.update(piece);
            d.setInput(piece);
            while (!d.needsInput()) {
                out.write(buf, 0, d.deflate(buf));
            }
        }
        d.finish();
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        ZipBuilder zip = new ZipBuilder();
        ZipBuilder.Entry e = zip.add("x.npy", new byte[0], true);
        e.stored = out.toByteArray();
        e.crc = crc.getValue();
        e.size = header.length + 4L * rows * cols;
        return zip.build();
    }
}
