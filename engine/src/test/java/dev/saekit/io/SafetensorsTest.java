package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static dev.saekit.io.NpyFixtures.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Reading what the safetensors library wrote (make_safetensors_fixtures.py, golden-io) and writing the same bytes. */
class SafetensorsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // tensor, dtype a plain read returns, values (the extremes of each integer type)
        "t_int8, float32, -128 -127 -1 0 1 2 126 127",
        "t_int16, float32, -32768 -32767 -1 0 1 2 32766 32767",
        "t_uint8, float32, 0 1 2 127 254 255",
        "t_uint16, float32, 0 1 2 32767 65534 65535",
        "t_bool, float32, 1 0 1 1",
        "t_int32, float64, -2147483648 -2147483647 -1 0 1 2 2147483646 2147483647",
        "t_uint32, float64, 0 1 2 2147483647 4294967294 4294967295",
        "t_int64, float64, -9223372036854775808 -9223372036854775807 -1 0 1 2 9223372036854775806 9223372036854775807",
        "t_uint64, float64, 0 1 2 9223372036854775807 18446744073709551614 18446744073709551615",
    })
    void readsIntegersAsTheNearestFloatsAndExactlyAsLongs(String name, String dtype, String values) throws IOException {
        SafetensorsFile file = Safetensors.header(resource("safetensors/dtypes.safetensors"));
        INDArray a = file.read(name);
        assertEquals(DType.parse(dtype).nd4j(), a.dataType());
        BigInteger[] expected =
                Stream.of(values.split(" ")).map(BigInteger::new).toArray(BigInteger[]::new);
        double[] asDoubles =
                Stream.of(expected).mapToDouble(BigInteger::doubleValue).toArray();
        assertArrayEquals(asDoubles, a.castTo(DataType.DOUBLE).toDoubleVector(), 0.0);

        long[] exact = file.readLongs(name);
        assertEquals(expected.length, exact.length);
        for (int i = 0; i < exact.length; i++) { // uint64 comes back as its bit pattern
            String text = name.equals("t_uint64") ? Long.toUnsignedString(exact[i]) : Long.toString(exact[i]);
            assertEquals(expected[i].toString(), text, name + " element " + i);
        }
    }

    @Test
    void readsFloatsOfEveryWidthExactly() throws IOException {
        SafetensorsFile file = Safetensors.header(resource("safetensors/dtypes.safetensors"));
        NpyTest.assertSame(ramp(DType.FLOAT32, 3, 4), file.read("t_float32"));
        NpyTest.assertSame(ramp(DType.FLOAT64, 2, 3, 4), file.read("t_float64"));
        INDArray half = file.read("t_float16");
        assertEquals(DataType.FLOAT, half.dataType());
        float[] expected = {
            0f, -0f, 1f, -2.5f, 65504f, 0x1p-14f, 0x1p-24f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
        };
        float[] actual = half.toFloatVector();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), "element " + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> file.readLongs("t_float32"));
        assertTrue(e.getMessage().contains("is F32; readLongs reads integer and bool tensors"), e.getMessage());
    }

    @Test
    void readConvertsEveryTensorToTheRequestedDType() throws IOException {
        Path multi = resource("golden-io/safetensors/multi.safetensors");
        Map<String, INDArray> raw = Safetensors.read(multi);
        for (DType target : DType.values()) {
            Map<String, INDArray> converted = Safetensors.read(multi, target);
            assertEquals(List.copyOf(raw.keySet()), List.copyOf(converted.keySet()));
            converted.forEach((name, a) -> {
                assertEquals(target.nd4j(), a.dataType(), name);
                assertArrayEquals(raw.get(name).shape(), a.shape(), name);
                assertArrayEquals(
                        raw.get(name).castTo(target.nd4j()).dup().data().asDouble(),
                        a.dup().data().asDouble(),
                        0.0,
                        name);
            });
        }
    }

    @Test
    void headerGivesTensorsInFileOrderWithMetadataScalarsAndEmptyTensors() throws IOException {
        SafetensorsFile file = Safetensors.header(resource("golden-io/safetensors/multi.safetensors"));
        // the library orders tensors by dtype (largest first), then name; the header keeps that order
        assertEquals(
                List.of("big_ints", "labels", "weight", "acts", "empty", "scalar", "emb_bf16", "bias_f16"),
                List.copyOf(file.tensors().keySet()));
        assertEquals(
                Map.of(
                        "seed",
                        "7",
                        "description",
                        "several tensors of several dtypes in one file",
                        "n",
                        "37",
                        "format",
                        "pt",
                        "d",
                        "13",
                        "t",
                        "5"),
                file.metadata());
        assertEquals(
                new TensorEntry("acts", ElementType.FLOAT32, new long[] {37, 5, 13}, 1072, 10692), file.entry("acts"));
        assertEquals(672, file.dataStart());

        INDArray scalar = file.read("scalar");
        assertEquals(0, scalar.rank());
        assertEquals(3.25, scalar.getDouble(0), 0.0);
        INDArray empty = file.read("empty");
        assertArrayEquals(new long[] {0, 13}, empty.shape());
        assertEquals(ElementType.BFLOAT16, file.entry("emb_bf16").dtype());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> file.read("nope"));
        assertTrue(
                e.getMessage().contains("no tensor 'nope' in ")
                        && e.getMessage().contains("it holds 8 tensors: big_ints, labels"),
                e.getMessage());
    }

    /** The tensors of make_safetensors_fixtures.py's written_by_python*.safetensors. */
    private static Map<String, INDArray> pythonsTensors() {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("b", ramp(DType.FLOAT32, 3, 4));
        t.put("a", ramp(DType.FLOAT32, 2, 3, 4));
        t.put("B", Nd4j.createFromArray(-(1L << 62) - 3, -1L, 0L, 1L, (1L << 53) + 1));
        t.put("z", ramp(DType.FLOAT64, 7));
        t.put("\u00e9t\u00e9", ramp(DType.FLOAT64, 2, 2));
        t.put("scalar", Tensors.scalar(DType.FLOAT32, 3.25));
        t.put("empty", Tensors.zeros(DType.FLOAT32, 0, 5));
        return t;
    }

    @Test
    void writesTheBytesThePythonLibraryWrites() throws IOException {
        Path plain = tmp.resolve("plain.safetensors");
        Safetensors.write(plain, pythonsTensors(), null);
        assertArrayEquals(
                Files.readAllBytes(resource("safetensors/written_by_python.safetensors")), Files.readAllBytes(plain));

        Path withMetadata = tmp.resolve("meta.safetensors");
        Safetensors.write(
                withMetadata,
                pythonsTensors(),
                Map.of("note", "quote \" backslash \\ newline \n tab \t \u0001 \u00e9"));
        assertArrayEquals(
                Files.readAllBytes(resource("safetensors/written_by_python_meta.safetensors")),
                Files.readAllBytes(withMetadata));
        assertEquals(
                "quote \" backslash \\ newline \n tab \t \u0001 \u00e9",
                Safetensors.header(withMetadata).metadata().get("note"));
    }

    @Test
    void writesFilesWithoutTensorsAsThePythonLibraryDoes() throws IOException {
        // safetensors.numpy.save({}) and save({}, metadata={"": ""})
        Path empty = tmp.resolve("empty.safetensors");
        Safetensors.write(empty, Map.of(), null);
        assertArrayEquals("\b\0\0\0\0\0\0\0{}      ".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(empty));
        Safetensors.write(empty, Map.of(), Map.of("", ""));
        assertArrayEquals(
                "\u0018\0\0\0\0\0\0\0{\"__metadata__\":{\"\":\"\"}}".getBytes(StandardCharsets.US_ASCII),
                Files.readAllBytes(empty));
        assertEquals(Map.of("", ""), Safetensors.header(empty).metadata());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "golden-io/safetensors/f32.safetensors",
                "golden-io/safetensors/f64.safetensors",
                "golden-io/sae_lens/standard/sae_weights.safetensors"
            })
    void rewritesGoldenFilesByteForByte(String path) throws IOException {
        Path golden = resource(path);
        Path copy = tmp.resolve("copy.safetensors");
        Safetensors.write(
                copy, Safetensors.read(golden), Safetensors.header(golden).metadata());
        assertArrayEquals(Files.readAllBytes(golden), Files.readAllBytes(copy));
    }

    @Test
    void roundTripsSpecialValuesAndViewsBitForBit() throws IOException {
        double[] specials = {
            Double.NaN,
            -0.0,
            0.0,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            -1e-300,
            Math.PI,
            1.0 / 3
        };
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("f32", Tensors.fromFlat(DType.FLOAT32, specials, 2, 5));
        tensors.put("f64", Tensors.fromFlat(DType.FLOAT64, specials, 2, 5));
        tensors.put("f32_transposed_view", ramp(DType.FLOAT32, 4, 6).transpose());
        tensors.put(
                "i64",
                Nd4j.createFromArray(Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE).reshape(2, 2));
        Path f = tmp.resolve("specials.safetensors");
        Safetensors.write(f, tensors, Map.of("k", "v"));
        SafetensorsFile read = Safetensors.header(f);
        for (String name : List.of("f32", "f64", "f32_transposed_view")) {
            INDArray a = tensors.get(name).dup('c');
            INDArray b = read.read(name);
            assertEquals(a.dataType(), b.dataType(), name);
            assertArrayEquals(a.shape(), b.shape(), name);
            double[] x = a.data().asDouble();
            double[] y = b.data().asDouble();
            for (int i = 0; i < x.length; i++) {
                assertEquals(
                        Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), name + " element " + i);
            }
        }
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, read.readLongs("i64"));
        assertArrayEquals(new long[] {2, 2}, read.entry("i64").shape());
        assertEquals(Map.of("k", "v"), read.metadata());
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path f = tmp.resolve("x.safetensors");
        Safetensors.write(f, Map.of("a", ramp(DType.FLOAT64, 5, 5)), null);
        Safetensors.write(f, Map.of("b", ramp(DType.FLOAT32, 2)), Map.of());
        assertEquals(List.of("b"), List.copyOf(Safetensors.header(f).tensors().keySet()));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(dir.resolve("keep.txt"), "a non-empty directory cannot be replaced by a file");
        assertThrows(IOException.class, () -> Safetensors.write(dir, Map.of("a", ramp(DType.FLOAT32, 3)), null));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(dir), files.toList(), "the temporary file must be deleted");
        }
        assertThrows(IOException.class, () -> Safetensors.write(tmp.resolve("missing/x.safetensors"), Map.of(), null));
        assertFalse(Files.exists(tmp.resolve("missing")));
    }

    @Test
    void writeRefusesOtherDTypesTheMetadataKeyAndLoneSurrogates() {
        Path f = tmp.resolve("x.safetensors");
        IllegalArgumentException ints = assertThrows(
                IllegalArgumentException.class,
                () -> Safetensors.write(f, Map.of("i", ramp(DType.FLOAT32, 3).castTo(DataType.INT32)), null));
        assertTrue(ints.getMessage().contains("tensor 'i' has dtype INT"), ints.getMessage());
        IllegalArgumentException key = assertThrows(
                IllegalArgumentException.class,
                () -> Safetensors.write(f, Map.of("__metadata__", ramp(DType.FLOAT32, 3)), null));
        assertTrue(key.getMessage().contains("metadata key"), key.getMessage());
        IllegalArgumentException surrogate = assertThrows(
                IllegalArgumentException.class,
                () -> Safetensors.write(f, Map.of("a", ramp(DType.FLOAT32, 3)), Map.of("k", "bad \ud800 text")));
        assertTrue(
                surrogate
                        .getMessage()
                        .contains("metadata 'k' 'bad \ud800 text' holds a lone surrogate U+D800 at index 4"),
                surrogate.getMessage());
        assertFalse(Files.exists(f));
    }

    @Test
    void aLazyReadNoticesThatTheFileChanged() throws IOException {
        Path f = tmp.resolve("x.safetensors");
        Safetensors.write(f, Map.of("a", ramp(DType.FLOAT32, 4, 4)), null);
        SafetensorsFile header = Safetensors.header(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(f) - 4);
        }
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> header.read("a"));
        assertTrue(e.getMessage().contains("it changed since"), e.getMessage());
    }
}
