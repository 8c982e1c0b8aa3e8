package dev.saekit.io;

import static dev.saekit.io.NpyFixtures.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tolerance;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Files written by NumPy 1.26 (the golden-io set), checked against the statistics in their manifest. */
class NpyGoldenIoTest {

    static List<JsonNode> entries() throws IOException {
        JsonNode manifest =
                new ObjectMapper().readTree(fixture("golden-io/manifest.json").toFile());
        return StreamSupport.stream(manifest.get("files").spliterator(), false).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void readsAsTheManifestSays(JsonNode entry) throws IOException {
        Path file = fixture("golden-io/" + entry.get("path").asText());
        if (entry.has("expect") && entry.get("expect").asText().equals("error")) {
            assertThrows(
                    MalformedFileException.class,
                    () -> Npy.read(file),
                    entry.get("note").asText());
            return;
        }
        NpyHeader header = Npy.header(file);
        assertEquals(entry.get("dtype").asText(), header.descr());
        assertEquals(entry.get("fortran_order").asBoolean(), header.fortranOrder());

        INDArray a = Npy.read(file);
        long[] shape = new long[entry.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = entry.get("shape").get(i).asLong();
        }
        assertEquals(java.util.Arrays.toString(shape), java.util.Arrays.toString(a.shape()));
        assertEquals(entry.get("count").asLong(), a.length());
        if (a.length() == 0) {
            return;
        }
        double[] v = a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        List<Double> first5 = new ArrayList<>();
        entry.get("first5").forEach(n -> first5.add(n.asDouble()));
        for (int i = 0; i < first5.size(); i++) {
            assertEquals(first5.get(i), v[i], 0.0, "element " + i + " (C order)");
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
        // NumPy's float64 sum (pairwise) and this one (in order): two orders of the same terms
        assertEquals(entry.get("sum").asDouble(), sum, 2 * Tolerance.sum(DType.FLOAT64, abs, v.length), "sum");
        assertEquals(entry.get("min").asDouble(), min, 0.0);
        assertEquals(entry.get("max").asDouble(), max, 0.0);
    }
}
