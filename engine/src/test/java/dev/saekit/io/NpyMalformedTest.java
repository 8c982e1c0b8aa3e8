package dev.saekit.io;

import static dev.saekit.io.NpyFixtures.dict;
import static dev.saekit.io.NpyFixtures.fixture;
import static dev.saekit.io.NpyFixtures.npy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Broken and hostile files: each gives one {@link MalformedFileException} naming the file and what
 * is wrong, whether read from a path or a stream, and never an OutOfMemoryError or another
 * exception. A seeded fuzz run checks that every mutation of a valid file is read or refused.
 */
class NpyMalformedTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> brokenFiles() {
        byte[] valid = npy(1, dict("<f4", "(10, 13)"), 520);
        byte[] badMagic = valid.clone();
        badMagic[5] = 'X';
        byte[] badVersion = valid.clone();
        badVersion[6] = 4;
        byte[] hugeV2Header = ByteBuffer.allocate(64)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0})
                .putInt(-1)
                .array();
        byte[] badUtf8 = npy(3, dict("<f4", "(2,)"), 8);
        badUtf8[20] = (byte) 0xFF;
        String rank33 = "(" + "1, ".repeat(33) + ")";
        return Stream.of(
                Arguments.of("empty file", new byte[0], "the file is empty"),
                Arguments.of(
                        "bad magic", badMagic, "expected the magic string \\x93NUMPY at byte 0, found b'\\x93NUMPX'"),
                Arguments.of("magic cut short", Arrays.copyOf(valid, 4), "found b'\\x93NUM'"),
                Arguments.of(
                        "no version", Arrays.copyOf(valid, 7), "the file ends at byte 7, inside the format version"),
                Arguments.of("unknown version", badVersion, "unsupported .npy format version 4.0 at byte 6"),
                Arguments.of(
                        "truncated length field",
                        Arrays.copyOf(valid, 9),
                        "ends at byte 9, inside the header length field"),
                Arguments.of("truncated header", Arrays.copyOf(valid, 40), "header length field at byte 8 says"),
                Arguments.of(
                        "header length over the bound", hugeV2Header, "says 4294967295 bytes, more than the 1048576"),
                Arguments.of(
                        "truncated data",
                        Arrays.copyOf(valid, valid.length - 258),
                        "header declares shape (10, 13) = 520 bytes of '<f4' data but the file has 262 bytes after the header"),
                Arguments.of(
                        "extra data",
                        Arrays.copyOf(valid, valid.length + 4),
                        "but the file has 524 bytes after the header"),
                Arguments.of(
                        "absurd shape",
                        npy(1, dict("<f4", "(10**15, 10**15)"), 64),
                        "expected ',' or ')' in 'shape', found '*'"),
                Arguments.of(
                        "shape overflowing 64 bits",
                        npy(1, dict("<f4", "(1000000000000000, 1000000000000000)"), 64),
                        "has more bytes than a signed 64-bit count can hold"),
                Arguments.of(
                        "byte count overflowing 64 bits",
                        npy(1, dict("<f8", "(2305843009213693952,)"), 64),
                        "'shape' (2305843009213693952,) of '<f8' has more bytes"),
                Arguments.of(
                        "huge shape",
                        npy(1, dict("<f4", "(1000000000, 1000000000)"), 64),
                        "= 4000000000000000000 bytes of '<f4' data but the file has 64 bytes"),
                Arguments.of(
                        "negative dimension",
                        npy(1, dict("<f4", "(-1, 3)"), 0),
                        "'shape' has the negative dimension -1"),
                Arguments.of(
                        "dimension beyond 64 bits",
                        npy(1, dict("<f4", "(99999999999999999999,)"), 0),
                        "dimension 99999999999999999999 in 'shape' does not fit"),
                Arguments.of(
                        "garbage dimension",
                        npy(1, dict("<f4", "(3, x)"), 0),
                        "expected an integer dimension in 'shape', found 'x'"),
                Arguments.of("shape not a tuple", npy(1, dict("<f4", "'3, 4'"), 0), "expected 'shape' to be a tuple"),
                Arguments.of("parenthesised int", npy(1, dict("<f4", "(5)"), 20), "'shape' (5) is not a tuple"),
                Arguments.of("too many dimensions", npy(1, dict("<f4", rank33), 4), "more than 32 dimensions"),
                Arguments.of("unknown descr", npy(1, dict("<c8", "(2,)"), 16), "unsupported 'descr' '<c8'"),
                Arguments.of(
                        "no byte order for a 4-byte type", npy(1, dict("|f4", "(2,)"), 8), "unsupported 'descr' '|f4'"),
                Arguments.of(
                        "structured dtype",
                        npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8),
                        "structured (record) dtypes are not supported"),
                Arguments.of(
                        "fortran_order not a bool",
                        npy(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 8),
                        "'fortran_order' must be True or False, found '0'"),
                Arguments.of("missing key", npy(1, "{'descr': '<f4', 'shape': (2,), }", 8), "lacks 'fortran_order'"),
                Arguments.of(
                        "unknown key",
                        npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8),
                        "unexpected key 'x'"),
                Arguments.of(
                        "duplicate key",
                        npy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8),
                        "key 'descr' appears twice"),
                Arguments.of(
                        "dict never closed",
                        npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8),
                        "expected a key in quotes, found the end of the header"),
                Arguments.of("not a dict", npy(1, "[1, 2]", 8), "expected the header dict to start ('{'), found '['"),
                Arguments.of(
                        "text after the dict",
                        npy(1, dict("<f4", "(2,)") + " x", 8),
                        "unexpected 'x' after the header dict"),
                Arguments.of("invalid UTF-8 in a version 3.0 header", badUtf8, "is not valid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void eachDefectIsOneClearIOException(String what, byte[] bytes, String expectedMessage) throws IOException {
        Path file = tmp.resolve("broken.npy");
        Files.write(file, bytes);
        MalformedFileException fromPath = assertThrows(MalformedFileException.class, () -> Npy.read(file));
        assertTrue(fromPath.getMessage().startsWith(file + ": "), fromPath.getMessage());
        assertTrue(
                fromPath.getMessage().contains(expectedMessage),
                "expected '" + expectedMessage + "' in: " + fromPath.getMessage());
        assertEquals(file.toString(), fromPath.source());
        assertThrows(MalformedFileException.class, () -> Npy.header(file));

        MalformedFileException fromStream = assertThrows(
                MalformedFileException.class, () -> Npy.read(new ByteArrayInputStream(bytes), "stream.npy"));
        assertTrue(fromStream.getMessage().startsWith("stream.npy: "), fromStream.getMessage());
    }

    @Test
    void headerErrorsGiveTheFileOffset() {
        // the dict starts at byte 10; "{'descr': '<f4', 'fortran_order': False, 'shape': (3, " is 54 characters
        byte[] bytes = npy(1, dict("<f4", "(3, x)"), 0);
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> Npy.read(new ByteArrayInputStream(bytes), "a.npy"));
        assertEquals(
                "a.npy: malformed .npy header at byte 64: expected an integer dimension in 'shape', found 'x'",
                e.getMessage());
    }

    @Test
    void anEmptyArrayWithAHugeDimensionIsValid() throws IOException {
        // 0 x 10^18 elements is 0 bytes: NumPy reads it, so do we, without allocating anything
        INDArray a =
                Npy.read(new ByteArrayInputStream(npy(1, dict("<f4", "(0, 1000000000000000000)"), 0)), "empty.npy");
        assertEquals(0, a.length());
    }

    @Test
    void fuzzedFilesAreReadOrRefusedWithAnIOException() throws IOException {
        byte[][] seeds = {
            Files.readAllBytes(fixture("f4_2d.npy")), Files.readAllBytes(fixture("fortran_be_f8_2d.npy")),
            Files.readAllBytes(fixture("f4_2d_v3.npy")), Files.readAllBytes(fixture("f8_scalar.npy")),
        };
        SplittableRandom random = new SplittableRandom(20_240_601);
        byte[] interesting =
                "(),:'\"-+0123456789 TrueFalse{}[]L\n<>|fiuc".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int read = 0;
        int refused = 0;
        Path file = tmp.resolve("fuzz.npy");
        int rounds = Integer.getInteger("saekit.fuzz.rounds", 600); // more for a longer local run
        for (int round = 0; round < rounds; round++) {
            byte[] seed = seeds[round % seeds.length];
            byte[] bytes = mutate(seed, random, interesting);
            Files.write(file, bytes);
            INDArray fromPath = null;
            try {
                fromPath = Npy.read(file);
                read++;
            } catch (IOException expected) {
                refused++;
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e + " for bytes " + Arrays.toString(bytes), e);
            }
            try {
                INDArray fromStream = Npy.read(new ByteArrayInputStream(bytes), "fuzz.npy");
                if (fromPath == null) {
                    fail("round " + round + ": the stream reader accepted what the file reader refused");
                }
                NpyTest.assertSame(fromPath, fromStream);
            } catch (IOException e) {
                if (fromPath != null) {
                    fail("round " + round + ": the stream reader refused what the file reader accepted: "
                            + e.getMessage());
                }
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e + " for bytes " + Arrays.toString(bytes), e);
            }
        }
        // both outcomes occur, so the mutations exercise the reader rather than always breaking the magic
        assertTrue(read > rounds / 12 && refused > rounds / 12, "read " + read + ", refused " + refused);
    }

    /**
     * One of: bits flipped in the header, a header byte set to a syntax character, a truncation,
     * appended bytes, bits flipped in the data (which must still read).
     */
    private static byte[] mutate(byte[] seed, SplittableRandom random, byte[] interesting) {
        byte[] b = seed.clone();
        int headerEnd = Math.min(b.length, 128); // every seed's header is 128 bytes
        switch (random.nextInt(5)) {
            case 0:
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    b[random.nextInt(headerEnd)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            case 4:
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    b[headerEnd + random.nextInt(b.length - headerEnd)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            case 1:
                b[10 + random.nextInt(headerEnd - 10)] = interesting[random.nextInt(interesting.length)];
                return b;
            case 2:
                return Arrays.copyOf(b, random.nextInt(b.length));
            default:
                return Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
        }
    }
}
