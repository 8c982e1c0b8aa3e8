package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken and hostile safetensors files: each gives one {@link MalformedFileException} naming the
 * file and the tensor and field (or byte offset), never an OutOfMemoryError or another exception;
 * a seeded fuzz run checks that every mutation of a valid file is read or refused.
 */
class SafetensorsMalformedTest {
    @TempDir
    Path tmp;

    /** A file with header {@code json} (as given, unpadded) and {@code dataBytes} zero bytes. */
    static byte[] st(String json, int dataBytes) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length + dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .put(header)
                .array();
    }

    /** One tensor entry: {@code "name":{"dtype":...,"shape":...,"data_offsets":...}}. */
    static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets
                + "}";
    }

    static Stream<Arguments> brokenFiles() {
        String x = entry("x", "F32", "[2,2]", "[0,16]");
        byte[] badUtf8 = st("{" + entry("x\u00e9", "F32", "[2,2]", "[0,16]") + "}", 16);
        badUtf8[8 + 5] = (byte) 0xFF; // the second byte of the é
        byte[] hugeLength = ByteBuffer.allocate(64)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(Safetensors.MAX_HEADER_BYTES + 1L)
                .array();
        return Stream.of(
                Arguments.of("empty file", new byte[0], "the file is empty"),
                Arguments.of(
                        "shorter than the length field",
                        new byte[] {1, 0, 0},
                        "the file has 3 bytes, fewer than the 8-byte"),
                Arguments.of(
                        "header length over the bound", hugeLength, "says 100000001 bytes, more than the 100000000"),
                Arguments.of(
                        "header length beyond the file",
                        Arrays.copyOf(st("{" + x + "}", 16), 30),
                        "says 57 bytes but the file ends 22 bytes after it"),
                Arguments.of(
                        "zero header length", st("", 0), "does not start with '{' (its length field says 0 bytes)"),
                Arguments.of("header not an object", st("[1, 2]", 0), "does not start with '{'"),
                Arguments.of("invalid UTF-8", badUtf8, "is not valid UTF-8 at byte 13"),
                Arguments.of(
                        "NUL after the brace",
                        st("{\0}", 0),
                        "invalid JSON in the safetensors header at byte 9: a NUL byte"),
                Arguments.of("invalid JSON", st("{" + x + ",}", 16), "invalid JSON in the safetensors header at byte"),
                Arguments.of("single quotes", st("{'x': 1}", 0), "invalid JSON in the safetensors header at byte 9"),
                Arguments.of("text after the object", st("{" + x + "} x", 16), "invalid JSON"),
                Arguments.of(
                        "a second object", st("{" + x + "}{}", 16), "unexpected START_OBJECT after the header object"),
                Arguments.of(
                        "metadata not an object",
                        st("{\"__metadata__\":3," + x + "}", 16),
                        "'__metadata__' must be an object of strings, found a number"),
                Arguments.of(
                        "metadata value not a string",
                        st("{\"__metadata__\":{\"k\":1}," + x + "}", 16),
                        "'__metadata__' entry 'k' must be a string, found a number"),
                Arguments.of(
                        "metadata twice",
                        st("{\"__metadata__\":{},\"__metadata__\":{}," + x + "}", 16),
                        "'__metadata__' appears twice"),
                Arguments.of(
                        "metadata key twice",
                        st("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}," + x + "}", 16),
                        "'__metadata__' has the key 'k' twice"),
                Arguments.of("tensor twice", st("{" + x + "," + x + "}", 16), "tensor 'x' appears twice"),
                Arguments.of(
                        "entry not an object",
                        st("{\"x\":[1]}", 0),
                        "tensor 'x' must be an object with 'dtype', 'shape' and" + " 'data_offsets', found an array"),
                Arguments.of(
                        "missing dtype",
                        st("{\"x\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                        "tensor 'x' lacks 'dtype'"),
                Arguments.of(
                        "missing shape",
                        st("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8),
                        "tensor 'x' lacks 'shape'"),
                Arguments.of(
                        "missing offsets",
                        st("{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8),
                        "tensor 'x' lacks 'data_offsets'"),
                Arguments.of(
                        "unknown key",
                        st("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"order\":\"F\"}}", 8),
                        "tensor 'x' has the unexpected key 'order'"),
                Arguments.of(
                        "key twice",
                        st("{\"x\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                        "tensor 'x' has the key 'dtype' twice"),
                Arguments.of(
                        "dtype not a string",
                        st("{" + entry("x", "F32", "[2]", "[0,8]").replace("\"F32\"", "32") + "}", 8),
                        "tensor 'x': 'dtype' must be a string, found a number"),
                Arguments.of(
                        "unknown dtype",
                        st("{" + entry("x", "X17", "[2,2]", "[0,16]") + "}", 16),
                        "safetensors header at byte 22: tensor 'x': unknown dtype 'X17'; accepted: BOOL, U8"),
                Arguments.of(
                        "unsupported dtype",
                        st("{" + entry("x", "F8_E4M3", "[2]", "[0,2]") + "}", 2),
                        "tensor 'x': saekit does not read dtype 'F8_E4M3'"),
                Arguments.of(
                        "negative dimension",
                        st("{" + entry("x", "F32", "[-2,2]", "[0,16]") + "}", 16),
                        "tensor 'x': 'shape' has the negative value -2"),
                Arguments.of(
                        "fractional dimension",
                        st("{" + entry("x", "F32", "[2.0,2]", "[0,16]") + "}", 16),
                        "tensor 'x': 'shape' must hold integers, found a number"),
                Arguments.of(
                        "nested shape",
                        st("{" + entry("x", "F32", "[[2],2]", "[0,16]") + "}", 16),
                        "tensor 'x': 'shape' must hold integers, found an array"),
                Arguments.of(
                        "shape not an array",
                        st("{" + entry("x", "F32", "\"2x2\"", "[0,16]") + "}", 16),
                        "tensor 'x': 'shape' must be an array of integers, found a string"),
                Arguments.of(
                        "dimension beyond 64 bits",
                        st("{" + entry("x", "F32", "[99999999999999999999]", "[0,16]") + "}", 16),
                        "'shape' value 99999999999999999999 does not fit in a signed 64-bit integer"),
                Arguments.of(
                        "too many dimensions",
                        st("{" + entry("x", "F32", "[" + "1,".repeat(32) + "1]", "[0,4]") + "}", 4),
                        "'shape' has more than 32 values, the most dimensions saekit reads"),
                Arguments.of(
                        "byte count overflowing 64 bits",
                        st("{" + entry("x", "F32", "[1099511627776,1099511627776]", "[0,16]") + "}", 16),
                        "'shape' [1099511627776, 1099511627776] of F32 has more bytes than a signed 64-bit count"),
                Arguments.of(
                        "three offsets",
                        st("{" + entry("x", "F32", "[2,2]", "[0,8,16]") + "}", 16),
                        "tensor 'x': 'data_offsets' has more than 2 values"),
                Arguments.of(
                        "one offset",
                        st("{" + entry("x", "F32", "[2,2]", "[16]") + "}", 16),
                        "tensor 'x': 'data_offsets' must be [begin, end], found 1 numbers"),
                Arguments.of(
                        "offsets reversed",
                        st("{" + entry("x", "F32", "[2,2]", "[16,0]") + "}", 16),
                        "tensor 'x': 'data_offsets' [16, 0] end before they begin"),
                Arguments.of(
                        "span and shape disagree",
                        st("{" + entry("x", "F32", "[3,2]", "[0,16]") + "}", 16),
                        "tensor 'x': 'data_offsets' [0, 16] span 16 bytes but F32 [3, 2] needs 24"),
                Arguments.of(
                        "huge shape, tiny file",
                        st("{" + entry("x", "F32", "[1000000000,1000000000]", "[0,4000000000000000000]") + "}", 16),
                        "tensor 'x': 'data_offsets' [0, 4000000000000000000] reach past the end of the 16-byte data buffer"),
                Arguments.of(
                        "gap between tensors",
                        st(
                                "{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[16,24]")
                                        + "}",
                                24),
                        "tensor 'b': 'data_offsets' [16, 24] leave bytes 8..16 of the data buffer to no tensor"),
                Arguments.of(
                        "overlapping tensors",
                        st(
                                "{" + entry("a", "F32", "[4]", "[0,16]") + "," + entry("b", "F32", "[4]", "[8,24]")
                                        + "}",
                                24),
                        "tensor 'b': 'data_offsets' [8, 24] overlap tensor 'a' [0, 16]"),
                Arguments.of(
                        "bytes after the last tensor",
                        st("{" + x + "}", 20),
                        "the tensors cover 16 bytes of the data buffer but it has 20 (bytes 16..20 belong to no tensor)"),
                Arguments.of(
                        "data missing",
                        st("{" + x + "}", 12),
                        "tensor 'x': 'data_offsets' [0, 16] reach past the end of the 12-byte"),
                Arguments.of(
                        "data but no tensors",
                        st("{}", 8),
                        "the tensors cover 0 bytes of the data buffer but it has 8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void eachDefectIsOneClearMalformedFileException(String what, byte[] bytes, String expectedMessage)
            throws IOException {
        Path file = tmp.resolve("broken.safetensors");
        Files.write(file, bytes);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(
                e.getMessage().contains(expectedMessage), "expected '" + expectedMessage + "' in: " + e.getMessage());
        assertEquals(file.toString(), e.source());
        assertThrows(MalformedFileException.class, () -> Safetensors.header(file));
    }

    @Test
    void anEmptyTensorWithAHugeDimensionIsValid() throws IOException {
        Path file = tmp.resolve("empty.safetensors");
        Files.write(file, st("{" + entry("x", "F64", "[0,1000000000000000000]", "[0,0]") + "}", 0));
        assertEquals(0, Safetensors.read(file).get("x").length());
    }

    @Test
    void aTensorTooLargeForOneArrayIsRefusedBeforeAllocating() throws IOException {
        // a valid file of 2^31 - 7 uint8 elements, sparse on disk: loading it would need a Java array beyond the limit
        Path file = tmp.resolve("big.safetensors");
        long n = Npy.MAX_ELEMENTS + 1;
        byte[] head = st("{" + entry("x", "U8", "[" + n + "]", "[0," + n + "]") + "}", 0);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(head));
            ch.write(ByteBuffer.wrap(new byte[1]), head.length + n - 1); // sparse: no real disk use
        }
        SafetensorsFile header = Safetensors.header(file);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> header.read("x"));
        assertTrue(
                e.getMessage().contains("more than the " + Npy.MAX_ELEMENTS + " one array can hold"), e.getMessage());
    }

    @Test
    @Timeout(300)
    void fuzzedFilesAreReadOrRefusedWithAMalformedFileException() throws IOException {
        byte[][] seeds = {
            Files.readAllBytes(resource("golden-io/safetensors/multi.safetensors")),
            Files.readAllBytes(resource("safetensors/dtypes.safetensors")),
            Files.readAllBytes(resource("safetensors/written_by_python_meta.safetensors")),
            Files.readAllBytes(resource("golden-io/overcomplete/topk_sae/state_dict.safetensors")),
        };
        byte[] interesting = "{}[]:,\"0123456789-.eE \\_FIUBL".getBytes(StandardCharsets.US_ASCII);
        Fuzzing.Outcome outcome =
                Fuzzing.run(tmp.resolve("fuzz.safetensors"), 20_240_602, seeds, 800, interesting, file -> {
                    SafetensorsFile header = Safetensors.header(file);
                    header.readAll();
                    for (TensorEntry e : header.tensors().values()) {
                        if (e.dtype().isInteger()) {
                            header.readLongs(e.name());
                        }
                    }
                });
        // both outcomes occur, so the mutations exercise the reader rather than always breaking the length field
        assertTrue(
                outcome.read() > outcome.rounds() / 20 && outcome.refused() > outcome.rounds() / 4, outcome.toString());
    }
}
