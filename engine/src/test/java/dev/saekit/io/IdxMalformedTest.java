package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken, hostile and compressed-hostile IDX files: one {@link MalformedFileException} each, never
 * a large allocation driven by the header; a seeded fuzz run over plain and gzip fixtures.
 */
class IdxMalformedTest {
    @TempDir
    Path tmp;

    /** An IDX header: type code, dimensions; then {@code dataBytes} zero bytes. */
    static byte[] idx(int type, long[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes); // big-endian
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (long d : dims) {
            b.putInt((int) d);
        }
        return b.array();
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(content);
        }
        return bytes.toByteArray();
    }

    static Stream<Arguments> brokenFiles() throws IOException {
        byte[] valid = idx(0x0D, new long[] {3, 4}, 48);
        byte[] gz = gzip(valid);
        byte[] corruptGz = gz.clone();
        corruptGz[12] ^= (byte) 0xFF; // inside the deflate stream
        byte[] bomb = Arrays.copyOf(idx(0x08, new long[] {8}, 8), 12 + (64 << 20)); // 8 bytes declared, 64 MiB present
        return Stream.of(
                Arguments.of("empty file", new byte[0], "the file is empty"),
                Arguments.of(
                        "bad magic",
                        new byte[] {1, 0, 8, 1, 0, 0, 0, 0},
                        "expected the magic number 00 00 TYPE RANK at byte 0," + " found 01 00 08 01"),
                Arguments.of("short magic", new byte[] {0, 0}, "found 00 00"),
                Arguments.of(
                        "unknown type",
                        idx(0x0A, new long[] {2}, 2),
                        "unknown IDX type code 0x0A at byte 2; accepted: 08 uint8"),
                Arguments.of(
                        "rank 0",
                        idx(0x08, new long[0], 1),
                        "the IDX rank at byte 3 is 0; saekit reads 1 to 32 dimensions"),
                Arguments.of("rank 33", idx(0x08, new long[33], 0), "the IDX rank at byte 3 is 33"),
                Arguments.of(
                        "truncated dimensions",
                        Arrays.copyOf(valid, 10),
                        "the file ends at byte 10, inside the 2 dimensions"),
                Arguments.of(
                        "truncated data",
                        Arrays.copyOf(valid, 40),
                        "= 48 bytes of data but the file has 28 bytes after the header"),
                Arguments.of("extra data", Arrays.copyOf(valid, 70), "but the file has 58 bytes after the header"),
                Arguments.of(
                        "huge dimensions, tiny file",
                        idx(0x08, new long[] {65536, 65536}, 16),
                        "the header declares uint8 [65536, 65536] = 4294967296 bytes of data but the file has 16 bytes"),
                Arguments.of(
                        "dimensions overflowing 64 bits",
                        idx(0x0E, new long[] {0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL}, 0),
                        "the dimensions at byte 4 multiply to more bytes than a signed 64-bit count can hold"),
                Arguments.of("corrupt gzip data", corruptGz, "corrupt gzip data"),
                Arguments.of("truncated gzip", Arrays.copyOf(gz, gz.length / 2), "corrupt gzip data"),
                Arguments.of(
                        "gzip of something else",
                        gzip("{\"not\": \"idx\"}".getBytes()),
                        "not an IDX file: expected the magic number 00 00 TYPE RANK at byte 0 of the decompressed data"),
                Arguments.of("gzip of nothing", gzip(new byte[0]), "the file decompresses to nothing"),
                Arguments.of(
                        "gzip declaring more than it can hold",
                        gzip(idx(0x0E, new long[] {1000, 1000, 1000}, 16)),
                        "= 8000000000 bytes of data, more than a gzip file of 31 bytes can decompress to (deflate expands at most"
                                + " 1032-fold)"),
                Arguments.of(
                        "gzip declaring 1 GB",
                        gzip(idx(0x08, new long[] {1000, 1000, 1000}, 16)),
                        "= 1000000000 bytes of data, more than a gzip file of 31 bytes can decompress to"),
                Arguments.of(
                        "gzip with less data than declared",
                        gzip(idx(0x08, new long[] {100, 100}, 16)),
                        "= 10000 bytes of data but the file decompresses to 16 bytes after the header"),
                Arguments.of(
                        "gzip bomb",
                        gzip(bomb),
                        "= 8 bytes of data but the file decompresses to more bytes than that"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    @Timeout(30)
    void eachDefectIsOneClearMalformedFileException(String what, byte[] bytes, String expectedMessage)
            throws IOException {
        Path file = tmp.resolve("broken.idx");
        Files.write(file, bytes);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(
                e.getMessage().contains(expectedMessage), "expected '" + expectedMessage + "' in: " + e.getMessage());
    }

    @Test
    @Timeout(300)
    void fuzzedFilesAreReadOrRefusedWithAMalformedFileException() throws IOException {
        byte[][] seeds = {
            Files.readAllBytes(resource("idx/f8_3d.idx")), Files.readAllBytes(resource("idx/u1_images.idx")),
            Files.readAllBytes(resource("idx/u1_images.idx.gz")), Files.readAllBytes(resource("idx/i4_extremes.idx")),
        };
        byte[] interesting = {
            0, 1, 2, 3, 4, 8, 9, 0x0B, 0x0C, 0x0D, 0x0E, 0x1F, (byte) 0x8B, 0x7F, (byte) 0x80, (byte) 0xFF
        };
        Fuzzing.Outcome outcome = Fuzzing.run(tmp.resolve("fuzz.idx"), 20_240_604, seeds, 16, interesting, Idx::read);
        assertTrue(
                outcome.read() > outcome.rounds() / 20 && outcome.refused() > outcome.rounds() / 4, outcome.toString());
    }
}
