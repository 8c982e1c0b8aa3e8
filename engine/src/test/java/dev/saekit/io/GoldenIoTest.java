package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tolerance;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Files written by NumPy and safetensors (the golden-io set), checked against the shapes, dtypes,
 * offsets, metadata and value statistics of its manifest. It reads the directory that
 * {@code -Dsaekit.goldenio.dir=DIR} names, by default the copy in {@code src/test/resources/golden-io}
 * (which holds the .npz, safetensors and broken files); pointed at the whole set it also reads
 * every .npy file through {@link DataFiles}.
 */
class GoldenIoTest {

    static Path dir() {
        String dir = System.getProperty("saekit.goldenio.dir");
        return dir == null || dir.isBlank() ? IoFixtures.resource("golden-io") : Path.of(dir);
    }

    static List<JsonNode> entries() throws IOException {
        JsonNode manifest =
                new ObjectMapper().readTree(dir().resolve("manifest.json").toFile());
        return StreamSupport.stream(manifest.get("files").spliterator(), false)
                .filter(e -> List.of("npy", "npz", "safetensors")
                        .contains(e.get("kind").asText()))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void readsAsTheManifestSays(JsonNode entry) throws IOException {
        Path file = dir().resolve(entry.get("path").asText());
        String kind = entry.get("kind").asText();
        if (entry.path("expect").asText().equals("error")) {
            String note = entry.get("note").asText();
            assertMalformed(file, () -> DataFiles.read(file), note);
            Executable reader = kind.equals("npy")
                    ? () -> Npy.read(file)
                    : kind.equals("npz") ? () -> Npz.read(file) : () -> Safetensors.read(file);
            assertMalformed(file, reader, note);
            return;
        }
        switch (kind) {
            case "npy":
                checkNpy(file, entry);
                break;
            case "npz":
                checkNpz(file, entry);
                break;
            default:
                checkSafetensors(file, entry);
                break;
        }
    }

    private static void checkNpy(Path file, JsonNode entry) throws IOException {
        DataMatrix m = DataFiles.read(file);
        assertEquals(DataFormat.NPY, m.info().format());
        assertEquals(ElementType.ofNpy(entry.get("dtype").asText()), m.info().dtype());
        assertArrayEquals(longs(entry.get("shape")), m.info().shape());
        assertEquals(m.info().rows(), m.matrix().rows());
        assertEquals(m.info().cols(), m.matrix().columns());
        checkValues(entry, m.matrix(), file.toString());
    }

    private static void checkNpz(Path file, JsonNode entry) throws IOException {
        Map<String, NpyHeader> headers = Npz.headers(file);
        Map<String, INDArray> arrays = Npz.read(file);
        List<String> names = iterable(entry.get("arrays").fieldNames());
        assertEquals(names, List.copyOf(arrays.keySet()), "arrays in archive order");
        assertEquals(names, List.copyOf(headers.keySet()));
        for (String name : names) {
            JsonNode a = entry.get("arrays").get(name);
            assertEquals(a.get("dtype").asText(), headers.get(name).descr(), name);
            assertArrayEquals(longs(a.get("shape")), arrays.get(name).shape(), name);
            checkValues(a, arrays.get(name), name);
            assertSameValues(arrays.get(name), Npz.read(file, name));
        }
    }

    private static void checkSafetensors(Path file, JsonNode entry) throws IOException {
        SafetensorsFile st = Safetensors.header(file);
        assertEquals(entry.get("header_len").asLong(), st.dataStart() - 8, "header length");
        assertEquals(entry.get("file_size").asLong(), st.dataStart() + st.bufferLength(), "file size");
        Map<String, String> metadata = new HashMap<>();
        entry.get("metadata")
                .fields()
                .forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        assertEquals(metadata, st.metadata());
        assertEquals(
                iterable(entry.get("tensors").fieldNames()).stream().sorted().toList(),
                st.tensors().keySet().stream().sorted().toList());
        Map<String, INDArray> all = Safetensors.read(file);
        assertEquals(List.copyOf(st.tensors().keySet()), List.copyOf(all.keySet()), "tensors in header order");
        for (TensorEntry e : st.tensors().values()) {
            JsonNode t = entry.get("tensors").get(e.name());
            assertEquals(t.get("dtype").asText(), e.dtype().safetensorsName(), e.name());
            assertArrayEquals(longs(t.get("shape")), e.shape(), e.name());
            assertArrayEquals(longs(t.get("data_offsets")), new long[] {e.begin(), e.end()}, e.name());
            INDArray a = all.get(e.name());
            assertEquals(e.dtype().readDType().nd4j(), a.dataType(), e.name());
            assertArrayEquals(e.shape(), a.shape(), e.name());
            checkValues(t, a, e.name());
            if (t.has("sum_int")) { // integers, exactly
                long[] v = st.readLongs(e.name());
                BigInteger sum = BigInteger.ZERO;
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (long x : v) {
                    sum = sum.add(BigInteger.valueOf(x));
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
                assertEquals(new BigInteger(t.get("sum_int").asText()), sum, e.name());
                assertEquals(t.get("min_int").asLong(), min, e.name());
                assertEquals(t.get("max_int").asLong(), max, e.name());
                for (int i = 0; i < t.get("first5_int").size(); i++) {
                    assertEquals(t.get("first5_int").get(i).asLong(), v[i], e.name() + " element " + i);
                }
            }
        }
    }

    /** count, first5 and min/max exactly; sum, mean and std to float64 rounding. */
    private static void checkValues(JsonNode expected, INDArray a, String what) {
        assertEquals(expected.get("count").asLong(), a.length(), what + " count");
        if (a.length() == 0) {
            return;
        }
        double[] v = a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < expected.get("first5").size(); i++) {
            assertEquals(expected.get("first5").get(i).asDouble(), v[i], 0.0, what + " element " + i + " (C order)");
        }
        double sum = 0;
        double abs = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            sum += x;
            abs += Math.abs(x);
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / v.length;
        double squares = 0;
        for (double x : v) {
            squares += (x - mean) * (x - mean);
        }
        // NumPy's float64 sums (pairwise) and this one (in order): two orders of the same terms
        double sumTolerance = 2 * Tolerance.sum(DType.FLOAT64, abs, v.length);
        assertEquals(expected.get("sum").asDouble(), sum, sumTolerance, what + " sum");
        assertEquals(
                expected.get("mean").asDouble(),
                mean,
                sumTolerance / v.length + Tolerance.f64(mean, 1),
                what + " mean");
        // a sum of squared deviations in two orders, then a division and a square root (which halves the relative
        // error)
        double std = expected.get("std").asDouble();
        assertEquals(
                std,
                Math.sqrt(squares / v.length),
                std * Tolerance.sum(DType.FLOAT64, 1, v.length) + Tolerance.f64(std, 3),
                what + " std");
        assertEquals(expected.get("min").asDouble(), min, 0.0, what + " min");
        assertEquals(expected.get("max").asDouble(), max, 0.0, what + " max");
    }

    private static void assertMalformed(Path file, Executable read, String note) {
        MalformedFileException e = assertThrows(MalformedFileException.class, read, note);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    private static void assertSameValues(INDArray expected, INDArray actual) {
        assertEquals(expected.dataType(), actual.dataType());
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(
                expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), 0.0);
    }

    private static long[] longs(JsonNode array) {
        long[] v = new long[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asLong();
        }
        return v;
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
