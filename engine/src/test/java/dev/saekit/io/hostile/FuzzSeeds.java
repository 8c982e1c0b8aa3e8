package dev.saekit.io.hostile;

import static dev.saekit.io.hostile.DataBytes.dict;
import static dev.saekit.io.hostile.DataBytes.npy;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The valid files each format's fuzzing starts from, with where their structure is (the bytes
 * mutations favour) and the bytes worth planting there.
 *
 * @param format      the format's name in the summary
 * @param extension   the fuzzed file's extension (it decides the reader of a file whose magic bytes broke)
 * @param seeds       valid files of the format
 * @param headerBytes how many leading bytes hold the structure
 * @param interesting bytes planted in the structure
 */
record FuzzSeeds(String format, String extension, List<byte[]> seeds, int headerBytes, byte[] interesting) {

    static List<FuzzSeeds> all() {
        float[] v = DataBytes.ramp(24);
        byte[] f4 = DataBytes.floats(ByteOrder.LITTLE_ENDIAN, v);
        byte[] npyF4 = npy(1, dict("<f4", false, 4, 6), f4);
        byte[] npyBe = npy(2, dict(">f8", false, 2, 3, 4), DataBytes.doubles(ByteOrder.BIG_ENDIAN, new double[24]));
        byte[] npyFortran = npy(1, dict("<f4", true, 6, 4), f4);
        byte[] npyV3 = npy(3, dict("<i2", false, 3, 4), Arrays.copyOf(f4, 24));
        byte[] npyInteresting = "(),:'0123456789 {}<>fiuLTrueFalse\u0000\n".getBytes(StandardCharsets.ISO_8859_1);

        ZipBuilder stored = new ZipBuilder();
        stored.add("x.npy", npyF4, false);
        ZipBuilder deflated = new ZipBuilder();
        deflated.add("x.npy", npyBe, true);
        ZipBuilder zip64 = new ZipBuilder().zip64End();
        zip64.add("x.npy", npyF4, true).zip64 = true;
        byte[] zipInteresting = "PK\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0000\u00ff(),:'0123456789 {}<>fiu"
                .getBytes(StandardCharsets.ISO_8859_1);

        byte[] st = DataBytes.safetensors(
                "{\"__metadata__\":{\"k\":\"v\"},\"x\":{\"dtype\":\"F32\",\"shape\":[4,6],\"data_offsets\":[0,96]}}",
                f4);
        byte[] stBf16 = DataBytes.safetensors(
                "{\"x\":{\"dtype\":\"BF16\",\"shape\":[2,3,2],\"data_offsets\":[0,24]}}", Arrays.copyOf(f4, 24));
        byte[] stInteresting = "{}[],:\"0123456789-eE.FIUBOL\u0000\u00ff ".getBytes(StandardCharsets.ISO_8859_1);

        byte[] idxU1 = DataBytes.idx(0x08, new long[] {6, 2, 2}, Arrays.copyOf(f4, 24));
        byte[] idxF8 =
                DataBytes.idx(0x0E, new long[] {3, 2}, DataBytes.doubles(ByteOrder.BIG_ENDIAN, 1, 2, 3, 4, 5, 6));
        byte[] idxInteresting = {
            0, 1, 2, 3, 4, 8, 9, 0x0B, 0x0C, 0x0D, 0x0E, 0x1F, (byte) 0x8B, 0x7F, (byte) 0x80, (byte) 0xFF
        };

        return List.of(
                new FuzzSeeds("npy", ".npy", List.of(npyF4, npyBe, npyFortran, npyV3), 128, npyInteresting),
                new FuzzSeeds(
                        "npz",
                        ".npz",
                        List.of(stored.build(), deflated.build(), zip64.build()),
                        Integer.MAX_VALUE,
                        zipInteresting),
                new FuzzSeeds("safetensors", ".safetensors", List.of(st, stBf16), 160, stInteresting),
                new FuzzSeeds("idx", ".idx", List.of(idxU1, idxF8), 16, idxInteresting),
                new FuzzSeeds(
                        "idx.gz",
                        ".idx.gz",
                        List.of(
                                DataBytes.gzip(idxU1),
                                DataBytes.concat(
                                        DataBytes.gzip(Arrays.copyOf(idxU1, 9)),
                                        DataBytes.gzip(Arrays.copyOfRange(idxU1, 9, idxU1.length))),
                                DataBytes.gzipMember(idxF8, new byte[] {1, 2}, "n", "c", true)),
                        40,
                        idxInteresting));
    }
}
