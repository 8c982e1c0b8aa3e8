package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code saekit data-info}, run in-process on small files and on the engine's golden-io copies. */
class DataInfoCommandTest {
    /** The engine's copy of the golden-io reader test set (files written by NumPy and safetensors). */
    private static final Path GOLDEN_IO = Path.of("..", "engine", "src", "test", "resources", "golden-io");

    @TempDir
    Path tmp;

    /** Runs {@code data-info args}, checks it succeeded with nothing on stderr, and parses the one JSON object it printed. */
    private static JsonNode info(String... args) throws IOException {
        String[] all = Stream.concat(Stream.of("data-info"), Stream.of(args)).toArray(String[]::new);
        CliRun run = CliRun.of(all);
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        ObjectMapper mapper = new ObjectMapper();
        try (JsonParser parser = mapper.createParser(run.out())) {
            JsonNode json = mapper.readTree(parser);
            assertEquals(null, parser.nextToken(), "stdout holds one JSON object and nothing else:\n" + run.out());
            return json;
        }
    }

    @Test
    void describesAHandWorkedMatrix() throws IOException {
        // values 1, 2, 3, 6: mean 3; deviations -2, -1, 0, 3; population variance (4 + 1 + 0 + 9) / 4 = 3.5
        Path file = tmp.resolve("x.npy");
        Npy.write(file, Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}, {3, 6}}));
        JsonNode json = info(file.toString());
        assertEquals(List.of("path", "format", "dtype", "shape", "rows", "cols", "count", "non_finite", "mean", "std", "min", "max"),
                iterable(json.fieldNames()));
        assertEquals(file.toString(), json.get("path").asText());
        assertEquals("npy", json.get("format").asText());
        assertEquals("float64", json.get("dtype").asText());
        assertEquals("[2,2]", json.get("shape").toString());
        assertEquals(2, json.get("rows").asLong());
        assertEquals(2, json.get("cols").asLong());
        assertEquals(4, json.get("count").asLong());
        assertEquals(0, json.get("non_finite").asLong());
        // small integers: the sums are exact, then one division and a correctly rounded square root
        assertEquals(3.0, json.get("mean").asDouble(), 0.0);
        assertEquals(Math.sqrt(3.5), json.get("std").asDouble(), 0.0);
        assertEquals(1.0, json.get("min").asDouble(), 0.0);
        assertEquals(6.0, json.get("max").asDouble(), 0.0);
    }

    @Test
    void flattensTokensToRowsAndMatchesTheManifestStatistics() throws IOException {
        // golden-io manifest, multi.safetensors "acts": F32 [37, 5, 13], mean -0.11364383202858401, std 2.061083126660252
        JsonNode json = info(GOLDEN_IO.resolve("safetensors/multi.safetensors").toString(), "--name", "acts");
        assertEquals("safetensors", json.get("format").asText());
        assertEquals("acts", json.get("name").asText());
        assertEquals("float32", json.get("dtype").asText());
        assertEquals("[37,5,13]", json.get("shape").toString());
        assertEquals(185, json.get("rows").asLong());
        assertEquals(13, json.get("cols").asLong());
        // NumPy's float64 statistics (pairwise sums: log2 n roundings) against data-info's (a compensated
        // sum for the mean, off by an ulp or two; an in-order sum of squared deviations, whose rounding grows
        // like 6 sqrt(n) roundings), of n = 2405 values up to 7.67 in magnitude
        int n = 37 * 5 * 13;
        double log2n = Math.ceil(Math.log(n) / Math.log(2));
        assertEquals(-0.11364383202858401, json.get("mean").asDouble(), (log2n + 2) * Math.ulp(7.67));
        double std = 2.061083126660252;
        assertEquals(std, json.get("std").asDouble(), std * (6 * Math.sqrt(n) + log2n) * Math.ulp(1.0) + 2 * Math.ulp(std));
        assertEquals(-7.065509796142578, json.get("min").asDouble(), 0.0);
        assertEquals(7.666133403778076, json.get("max").asDouble(), 0.0);

        JsonNode labels = info(GOLDEN_IO.resolve("numpy/pair_compressed.npz").toString(), "--name", "labels");
        assertEquals("int64", labels.get("dtype").asText());
        assertEquals(37, labels.get("rows").asLong());
        assertEquals(1, labels.get("cols").asLong());
        assertEquals(4.324324324324325, labels.get("mean").asDouble(), 0.0, "160 / 37: an exact sum of integers, one rounding");
    }

    @Test
    void anEmptyArrayHasNoStatistics() throws IOException {
        JsonNode json = info(GOLDEN_IO.resolve("safetensors/multi.safetensors").toString(), "--name", "empty");
        assertEquals(0, json.get("rows").asLong());
        assertEquals(13, json.get("cols").asLong());
        assertTrue(json.get("mean").isNull() && json.get("std").isNull() && json.get("min").isNull() && json.get("max").isNull(),
                json.toString());
    }

    @Test
    void nonFiniteValuesAreCountedAndShowInTheStatistics() throws IOException {
        Path file = tmp.resolve("nan.npy");
        Npy.write(file, Tensors.fromFlat(DType.FLOAT32, new double[] {1, Double.NaN, 3, Double.POSITIVE_INFINITY}, 4));
        JsonNode json = info(file.toString());
        assertEquals(2, json.get("non_finite").asLong());
        assertEquals("NaN", json.get("mean").asText());
        assertEquals("NaN", json.get("min").asText());
    }

    static List<Path> malformedFiles() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN_IO.resolve("malformed"))) {
            return files.sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void aMalformedFileIsOneErrorLineWithExitCode1(Path file) {
        CliRun run = CliRun.of("data-info", file.toString());
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("saekit: error: " + file + ": "), run.err());
        assertTrue(!run.err().contains("Exception") && !run.err().contains("\tat "), run.err());
    }

    @Test
    void anErrorStaysOneLineWhateverTheFileHolds() throws IOException {
        // an .npy header whose unknown key holds a line break, echoed by the error
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'a\nb': 1}";
        byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length).put(text);
        Path file = tmp.resolve("newline.npy");
        Files.write(file, b.array());
        CliRun run = CliRun.of("data-info", file.toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains("unexpected key 'a\\x0ab'"), run.err());
    }

    @Test
    void aMissingFileIsExitCode1() {
        Path missing = tmp.resolve("missing.npy");
        CliRun run = CliRun.of("data-info", missing.toString());
        assertEquals(1, run.exitCode());
        assertEquals(List.of("saekit: error: file not found: " + missing), run.errLines());
    }

    @Test
    void severalArraysNeedANameAndTheErrorListsThem() {
        Path multi = GOLDEN_IO.resolve("safetensors/multi.safetensors");
        CliRun run = CliRun.of("data-info", multi.toString());
        assertEquals(SaekitCli.EXIT_USAGE, run.exitCode());
        assertEquals(List.of("saekit: error: " + multi + " holds 8 tensors; choose one by name: big_ints int64 [6], labels int64 [37],"
                + " weight float64 [13, 7], acts float32 [37, 5, 13], empty float32 [0, 13], scalar float32 [], emb_bf16 bfloat16 [5, 13],"
                + " bias_f16 float16 [13] (use --name NAME)"), run.errLines());

        CliRun unknown = CliRun.of("data-info", multi.toString(), "--name", "nope");
        assertEquals(SaekitCli.EXIT_USAGE, unknown.exitCode());
        assertTrue(unknown.err().startsWith("saekit: error: no tensor 'nope' in " + multi + "; it holds 8 tensors:"), unknown.err());
    }

    @Test
    void theCommandIsListedAndDocumented() throws IOException {
        assertTrue(CliRun.of("--help").out().contains("data-info"));
        String doc = Files.readString(Path.of("..", "docs", "cli.md"));
        assertTrue(doc.contains("## `saekit data-info`") && doc.contains("`--name NAME`"), "docs/cli.md documents data-info");
        CliRun noFile = CliRun.of("data-info");
        assertEquals(SaekitCli.EXIT_USAGE, noFile.exitCode());
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
