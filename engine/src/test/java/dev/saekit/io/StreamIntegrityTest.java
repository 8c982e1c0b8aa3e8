package dev.saekit.io;

import static dev.saekit.io.hostile.DataBytes.concat;
import static dev.saekit.io.hostile.DataBytes.gzip;
import static dev.saekit.io.hostile.DataBytes.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.hostile.DataBytes;
import dev.saekit.io.hostile.ZipBuilder;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compressed file is checked to its last byte: bytes after the gzip stream or the zip archive, a
 * truncated stream, bytes after a member's deflate stream and lying sizes are refused whatever
 * reads the file (the header, the whole array, the statistics); concatenated gzip members, which
 * gunzip reads as one stream, are read the same way.
 */
class StreamIntegrityTest {
    @TempDir
    Path tmp;

    /** uint8 [3, 4]: 0..11. */
    private static final byte[] IDX = idx(0x08, new long[] {3, 4}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /**
     * Every way the data of {@code f} is read must refuse it with {@code expected} in the message:
     * loaded, scanned (statistics, the checked pass for the mean) and streamed (compressed data is
     * checked as it is decompressed into the scratch file).
     */
    private static void refusedEverywhere(Path f, String expected) {
        for (Reading r : new Reading[] {
            () -> DataFiles.read(f),
            () -> DataLocation.open(f.toString(), null, 1).statistics(),
            () -> DataLocation.open(f.toString(), null, 1).check(DType.FLOAT32),
            () -> ShardedDataset.builder(f.toString()).build().batchesInOrder(8).forEach(b -> {}),
        }) {
            MalformedFileException e = assertThrows(MalformedFileException.class, r::run);
            assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
        }
    }

    private interface Reading {
        void run() throws IOException;
    }

    @Test
    void trailingGarbageAfterAGzipStreamIsRefused() throws IOException {
        byte[] gz = gzip(IDX);
        Path f = write("images-idx2-ubyte.gz", concat(gz, "garbage!".getBytes()));
        refusedEverywhere(
                f,
                "8 bytes follow the end of the gzip stream at byte " + gz.length
                        + " and do not start another gzip member; the file is damaged or something was appended to it");
        refusedEverywhere(write("zeros.gz", concat(gz, new byte[512])), "512 bytes follow the end of the gzip stream");
    }

    @Test
    void concatenatedGzipMembersAreOneStreamAsForGunzip() throws IOException {
        Path f = write(
                "two.idx.gz", concat(gzip(Arrays.copyOf(IDX, 15)), gzip(Arrays.copyOfRange(IDX, 15, IDX.length))));
        assertArrayEquals(
                new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                DataFiles.read(f).matrix().data().asDouble(),
                0.0);
        Path headers = write("flags.idx.gz", DataBytes.gzipMember(IDX, new byte[] {1, 2, 3}, "name", "comment", true));
        assertEquals(
                5.5, DataLocation.open(headers.toString(), null, 1).statistics().mean(), 0.0);
    }

    @Test
    void truncatedAndLyingGzipStreamsAreRefused() throws IOException {
        byte[] gz = gzip(IDX);
        refusedEverywhere(write("cut.gz", Arrays.copyOf(gz, gz.length - 3)), "it is truncated");
        byte[] badSize = gz.clone();
        badSize[gz.length - 1] ^= 1; // the length in the trailer
        refusedEverywhere(write("size.gz", badSize), "the gzip trailer at byte " + (gz.length - 8) + " records");
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 1;
        refusedEverywhere(write("crc.gz", badCrc), "CRC-32 mismatch");
        refusedEverywhere(
                write("short.gz", gzip(Arrays.copyOf(IDX, 14))),
                "= 12 bytes of data but the file decompresses to 2 bytes");
        refusedEverywhere(write("long.gz", gzip(concat(IDX, new byte[] {1}))), "decompresses to more bytes than that");
    }

    @Test
    void bytesAfterTheEndOfAZipArchiveAreRefused() throws IOException {
        byte[] member = DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4);
        ZipBuilder zip = new ZipBuilder();
        zip.add("x.npy", member, true);
        zip.trailing("appended".getBytes());
        Path f = write("x.npz", zip.build());
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> DataFiles.info(f, null));
        assertTrue(e.getMessage().contains("8 bytes follow the end of the archive"), e.getMessage());
    }

    @Test
    void bytesAfterAMembersDeflateStreamAndLyingRecordsAreRefused() throws IOException {
        byte[] member = DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4);
        ZipBuilder after = new ZipBuilder();
        after.add("x.npy", member, true).afterStream = new byte[] {1, 2, 3};
        refusedEverywhere(
                write("after.npz", after.build()), "compressed bytes follow the end of the member's deflate stream");

        ZipBuilder crc =
                new ZipBuilder(); // a stored member is mapped in place: its CRC is checked by the passes that read it
        // whole
        crc.add("x.npy", member, false).crc = 0L;
        Path stored = write("crc.npz", crc.build());
        for (Reading r : new Reading[] {
            () -> DataFiles.read(stored),
            () -> DataLocation.open(stored.toString(), null, 1).statistics(),
            () -> DataLocation.open(stored.toString(), null, 1).check(DType.FLOAT32),
        }) {
            MalformedFileException e = assertThrows(MalformedFileException.class, r::run);
            assertTrue(
                    e.getMessage()
                            .endsWith(
                                    "member 'x.npy': CRC-32 mismatch: the archive records 00000000, the member's bytes"
                                            + " give " + String.format("%08x", ZipBuilder.crc(member))),
                    e.getMessage());
        }

        ZipBuilder bomb = new ZipBuilder(); // a member whose record claims far more than deflate can give
        ZipBuilder.Entry e = bomb.add("x.npy", member, true);
        e.size = 1L << 40;
        e.zip64 = true;
        MalformedFileException lie =
                assertThrows(MalformedFileException.class, () -> DataFiles.info(write("lie.npz", bomb.build()), null));
        assertTrue(lie.getMessage().contains("more than deflate can expand to (1032-fold)"), lie.getMessage());
    }

    @Test
    void zip64ArchivesAreReadAndOverlappingMembersRefused() throws IOException {
        ZipBuilder zip64 = new ZipBuilder().zip64End();
        zip64.add("a.npy", DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4), false).zip64 = true;
        zip64.add("b.npy", DataBytes.npyF4(new long[] {3}, 5, 6, 7), true).zip64 = true;
        Path f = write("z64.npz", zip64.build());
        assertArrayEquals(
                new double[] {1, 2, 3, 4},
                DataFiles.read(f, "a").matrix().data().asDouble(),
                0.0);
        assertArrayEquals(
                new double[] {5, 6, 7}, DataFiles.read(f, "b").matrix().data().asDouble(), 0.0);

        ZipBuilder shared = new ZipBuilder(); // b's record points at a's local header
        shared.add("a.npy", DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4), false);
        shared.add("b.npy", DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4), false).sameLocalAs = 0;
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> Npz.read(write("shared.npz", shared.build())));
        assertTrue(e.getMessage().endsWith("member 'b.npy': its local header at byte 0 names 'a.npy'"), e.getMessage());

        ZipBuilder overlap = new ZipBuilder(); // a's compressed bytes run over b's local header
        byte[] a = DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4);
        overlap.add("a.npy", a, true).compressedSize = (long) ZipBuilder.deflate(a).length + 40;
        overlap.add("b.npy", a, false);
        e = assertThrows(MalformedFileException.class, () -> Npz.read(write("overlap.npz", overlap.build())));
        assertTrue(e.getMessage().contains("members 'a.npy' and 'b.npy' overlap"), e.getMessage());
    }

    @Test
    void aStoredMemberIsReadInPlaceAndItsCrcCheckedWhenReadInFull() throws IOException {
        ZipBuilder zip = new ZipBuilder();
        zip.add("x.npy", DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4), false);
        Path f = write("stored.npz", zip.build());
        try (ShardedDataset data = ShardedDataset.builder(f.toString()).build()) {
            assertEquals(0, data.scratchBytes(), "a stored member is mapped where it lies");
            assertArrayEquals(
                    new double[][] {{1, 2}, {3, 4}},
                    data.batchesInOrder(2).iterator().next().toDoubleMatrix());
        }
    }
}
