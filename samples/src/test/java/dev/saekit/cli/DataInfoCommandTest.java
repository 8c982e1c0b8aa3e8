package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.Npy;
import dev.saekit.io.hostile.DataBytes;
import dev.saekit.io.hostile.ZipBuilder;
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
        assertEquals(
                List.of(
                        "path",
                        "format",
                        "dtype",
                        "shape",
                        "row_axes",
                        "matrix",
                        "rows",
                        "cols",
                        "count",
                        "non_finite",
                        "mean",
                        "std",
                        "min",
                        "max"),
                iterable(json.fieldNames()));
        assertEquals(1, json.get("row_axes").asInt());
        assertEquals("[2, 2] as 2 rows x 2", json.get("matrix").asText());
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
        // golden-io manifest, multi.safetensors "acts": F32 [37, 5, 13], mean -0.11364383202858401, std
        // 2.061083126660252
        JsonNode json = info(
                GOLDEN_IO.resolve("safetensors/multi.safetensors").toString(), "--name", "acts", "--row-axes", "2");
        assertEquals("safetensors", json.get("format").asText());
        assertEquals("acts", json.get("name").asText());
        assertEquals("float32", json.get("dtype").asText());
        assertEquals("[37,5,13]", json.get("shape").toString());
        assertEquals(2, json.get("row_axes").asInt());
        assertEquals(
                "flattened [37, 5, 13] to 185 rows x 13", json.get("matrix").asText());
        assertEquals(185, json.get("rows").asLong());
        assertEquals(13, json.get("cols").asLong());
        // NumPy's float64 statistics (pairwise sums: log2 n roundings) against data-info's (a compensated
        // sum for the mean, off by an ulp or two; an in-order sum of squared deviations, whose rounding grows
        // like 6 sqrt(n) roundings), of n = 2405 values up to 7.67 in magnitude
        int n = 37 * 5 * 13;
        double log2n = Math.ceil(Math.log(n) / Math.log(2));
        assertEquals(-0.11364383202858401, json.get("mean").asDouble(), (log2n + 2) * Math.ulp(7.67));
        double std = 2.061083126660252;
        assertEquals(
                std, json.get("std").asDouble(), std * (6 * Math.sqrt(n) + log2n) * Math.ulp(1.0) + 2 * Math.ulp(std));
        assertEquals(-7.065509796142578, json.get("min").asDouble(), 0.0);
        assertEquals(7.666133403778076, json.get("max").asDouble(), 0.0);

        JsonNode labels = info(GOLDEN_IO.resolve("numpy/pair_compressed.npz").toString(), "--name", "labels");
        assertEquals("int64", labels.get("dtype").asText());
        assertEquals(37, labels.get("rows").asLong());
        assertEquals(1, labels.get("cols").asLong());
        assertEquals(
                4.324324324324325,
                labels.get("mean").asDouble(),
                0.0,
                "160 / 37: an exact sum of integers, one rounding");
    }

    @Test
    void anEmptyArrayHasNoStatistics() throws IOException {
        JsonNode json = info(GOLDEN_IO.resolve("safetensors/multi.safetensors").toString(), "--name", "empty");
        assertEquals(0, json.get("rows").asLong());
        assertEquals(13, json.get("cols").asLong());
        assertTrue(
                json.get("mean").isNull()
                        && json.get("std").isNull()
                        && json.get("min").isNull()
                        && json.get("max").isNull(),
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
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) text.length)
                .put(text);
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
        assertEquals(
                List.of("saekit: error: " + multi
                        + " holds 8 tensors; choose one by name: big_ints int64 [6], labels int64 [37],"
                        + " weight float64 [13, 7], acts float32 [37, 5, 13], empty float32 [0, 13], scalar float32 [], emb_bf16 bfloat16 [5, 13],"
                        + " bias_f16 float16 [13] (use --name NAME)"),
                run.errLines());

        CliRun unknown = CliRun.of("data-info", multi.toString(), "--name", "nope");
        assertEquals(SaekitCli.EXIT_USAGE, unknown.exitCode());
        assertTrue(
                unknown.err().startsWith("saekit: error: no tensor 'nope' in " + multi + "; it holds 8 tensors:"),
                unknown.err());
    }

    @Test
    void aDirectoryOfShardsIsDescribedAsOneMatrix() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("shards"));
        Npy.write(
                dir.resolve("a.npy"), Tensors.fromFlat(DType.FLOAT32, new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2));
        ZipBuilder zip = new ZipBuilder();
        zip.add(
                "x.npy",
                DataBytes.npy(
                        1,
                        DataBytes.dict("<f8", false, 1, 2, 2),
                        DataBytes.doubles(java.nio.ByteOrder.LITTLE_ENDIAN, 9, 10, 11, 12)),
                true);
        Files.write(dir.resolve("b.npz"), zip.build());
        JsonNode json = info(dir.toString());
        assertEquals(
                List.of(
                        "path",
                        "format",
                        "files",
                        "formats",
                        "dtype",
                        "dtypes",
                        "row_axes",
                        "matrix",
                        "rows",
                        "cols",
                        "count",
                        "non_finite",
                        "mean",
                        "std",
                        "min",
                        "max",
                        "shards"),
                iterable(json.fieldNames()));
        assertEquals("shards", json.get("format").asText());
        assertEquals(2, json.get("files").asInt());
        assertEquals("[\"npy\",\"npz\"]", json.get("formats").toString());
        assertEquals("mixed", json.get("dtype").asText());
        assertEquals(
                "2 shards of shape [*, 2, 2], flattened to 3 rows x 4 in all",
                json.get("matrix").asText());
        assertEquals(3, json.get("rows").asLong());
        assertEquals(4, json.get("cols").asLong());
        assertEquals(12, json.get("count").asLong());
        assertEquals(6.5, json.get("mean").asDouble(), 0.0); // 1..12
        assertEquals(12.0, json.get("max").asDouble(), 0.0);
        assertEquals(
                dir.resolve("b.npz").toString(),
                json.get("shards").get(1).get("path").asText());
        assertEquals("x", json.get("shards").get(1).get("name").asText());
        assertEquals(6, info(dir.toString(), "--row-axes", "2").get("rows").asLong());
        CliRun tooMany = CliRun.of("data-info", dir.toString(), "--row-axes", "4");
        assertEquals(SaekitCli.EXIT_USAGE, tooMany.exitCode());
        assertEquals(
                List.of("saekit: error: " + dir.resolve("a.npy")
                        + " holds shape [2, 2, 2] (3 axes); row axes 4 needs an array" + " of at least 4 axes"),
                tooMany.errLines());
        assertEquals(2, info(dir + "/*.npy").get("rows").asLong());
    }

    @Test
    void trailingBytesAfterAGzipStreamAreAnError() throws IOException {
        byte[] idx = DataBytes.idx(0x08, new long[] {2, 3}, new byte[] {1, 2, 3, 4, 5, 6});
        Path clean = Files.write(tmp.resolve("images-idx2-ubyte.gz"), DataBytes.gzip(idx));
        assertEquals(3.5, info(clean.toString()).get("mean").asDouble(), 0.0);
        Path appended =
                Files.write(tmp.resolve("appended.gz"), DataBytes.concat(DataBytes.gzip(idx), "trailing".getBytes()));
        CliRun run = CliRun.of("data-info", appended.toString());
        assertEquals(1, run.exitCode(), run.out());
        assertEquals(
                List.of("saekit: error: " + appended + ": 8 bytes follow the end of the gzip stream at byte "
                        + DataBytes.gzip(idx).length
                        + " and do not start another gzip member; the file is damaged or something was"
                        + " appended to it"),
                run.errLines());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aFifoOrAnEmptyDirectoryIsOneLineAndNoHang() throws Exception {
        Path fifo = tmp.resolve("x.npy");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        CliRun run = CliRun.of("data-info", fifo.toString());
        assertEquals(1, run.exitCode());
        assertEquals(
                List.of("saekit: error: " + fifo
                        + ": is a FIFO (named pipe), not a regular file; saekit reads data from regular"
                        + " files, or from a directory or glob of them"),
                run.errLines());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun none = CliRun.of("data-info", empty.toString());
        assertEquals(1, none.exitCode());
        assertEquals(
                List.of("saekit: error: directory " + empty
                        + " holds no data files (.npy, .npz, .safetensors, .idx or .idx.gz)"),
                none.errLines());
    }

    @Test
    @org.junit.jupiter.api.Timeout(300)
    void theStatisticsOfAZipBombStreamInABoundedHeap() throws Exception {
        // a ~1 MiB .npz whose deflated member is 1 GiB of float32; the process gets a 64 MiB heap
        Path bomb = tmp.resolve("bomb.npz");
        long n = 1L << 28;
        ZipBuilder zip = new ZipBuilder();
        ZipBuilder.Entry e = zip.add("x.npy", new byte[0], true);
        byte[] header = DataBytes.npy(1, DataBytes.dict("<f4", false, n), new byte[0]);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
        java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        byte[] out = new byte[1 << 16];
        byte[] zeros = new byte[1 << 20];
        crc.update(header);
        d.setInput(header);
        for (long left = 4 * n; ; left -= zeros.length) {
            while (!d.needsInput()) {
                compressed.write(out, 0, d.deflate(out));
            }
            if (left == 0) {
                break;
            }
            crc.update(zeros);
            d.setInput(zeros);
        }
        d.finish();
        while (!d.finished()) {
            compressed.write(out, 0, d.deflate(out));
        }
        e.stored = compressed.toByteArray();
        e.crc = crc.getValue();
        e.size = header.length + 4 * n;
        Files.write(bomb, zip.build());
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SaekitCli.class.getName(),
                        "data-info",
                        bomb.toString())
                .redirectErrorStream(false)
                .start();
        String stdout = new String(child.getInputStream().readAllBytes());
        String stderr = new String(child.getErrorStream().readAllBytes());
        assertEquals(0, child.waitFor(), stderr);
        JsonNode json = new ObjectMapper().readTree(stdout);
        assertEquals(n, json.get("count").asLong());
        assertEquals(0.0, json.get("max").asDouble(), 0.0);
    }

    @Test
    void theCommandIsListedAndDocumented() throws IOException {
        assertTrue(CliRun.of("--help").out().contains("data-info"));
        String doc = Files.readString(Path.of("..", "docs", "cli.md"));
        assertTrue(
                doc.contains("## `saekit data-info`") && doc.contains("`--name NAME`"),
                "docs/cli.md documents data-info");
        CliRun noFile = CliRun.of("data-info");
        assertEquals(SaekitCli.EXIT_USAGE, noFile.exitCode());
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
