package dev.saekit.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.ActivationManifest;
import dev.saekit.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Flattening taps to rows, shards of bounded size, and the manifest. */
class ActivationExtractorTest {
    @TempDir
    Path dir;

    /**
     * One batch of N=2 sequences of T=3 steps of 2 values. With W_SEQ = [[1, -1, 2], [0, 1, -1]]:
     * [a, b] @ W = [a, b - a, 2a - b]; relu of that is a row of h.
     */
    private static final float[] X = {
        1, 0, /* -> [1, -1, 2] -> [1, 0, 2] */ 0, 1, /* -> [0, 1, -1] -> [0, 1, 0] */ 2,
                1, /* -> [2, -1, 3] -> [2, 0, 3] */
        -1, 1, /* -> [-1, 2, -3] -> [0, 2, 0] */ 1, 1, /* -> [1, 0, 1] -> [1, 0, 1] */ 3,
                0, /* -> [3, -3, 6] -> [3, 0, 6] */
    };

    private static final float[][] H_ROWS = {{1, 0, 2}, {0, 1, 0}, {2, 0, 3}, {0, 2, 0}, {1, 0, 1}, {3, 0, 6}};

    private OnnxTaps sequenceModel(List<String> taps) throws IOException {
        return OnnxTaps.open(Files.write(dir.resolve("seq.onnx"), TinyModels.sequence()), taps);
    }

    private static float[][] rows(INDArray a) {
        return a.toFloatMatrix();
    }

    @Test
    void tapsAreFlattenedToRowsOfTheirLastDimensionAndSplitIntoShards() throws IOException {
        Path out = dir.resolve("acts");
        try (OnnxTaps taps = sequenceModel(List.of("h", "h_pre"));
                ActivationExtractor ex = ActivationExtractor.builder(taps, out)
                        .rowsPerShard(4)
                        .input("two batches")
                        .build()) {
            Map<String, FloatTensor> first = ex.extract(Map.of("x", FloatTensor.of(X, 2, 3, 2)));
            assertArrayEquals(new long[] {2, 3, 3}, first.get("h").shape());
            assertArrayEquals(new long[] {2, 3, 3}, first.get("out").shape()); // the model's own output comes back too
            ex.extract(Map.of("x", FloatTensor.of(X, 2, 3, 2)));
            ActivationManifest m = ex.finish();

            // 12 rows of h: shards of 4, 4, 4 rows
            assertTrue(m.complete());
            ActivationManifest.Tap h = m.taps().get(0);
            assertEquals("h", h.name());
            assertEquals(3, h.width());
            assertEquals(12, h.rows());
            assertEquals("[2, 3, 3]", h.tensorShape());
            assertEquals(
                    List.of(
                            new ActivationManifest.Shard("shard-00000.npy", 4),
                            new ActivationManifest.Shard("shard-00001.npy", 4),
                            new ActivationManifest.Shard("shard-00002.npy", 4)),
                    h.shards());
            float[][] all = Stream.of("shard-00000.npy", "shard-00001.npy", "shard-00002.npy")
                    .flatMap(f -> Stream.of(rows(read(out.resolve("h").resolve(f)))))
                    .toArray(float[][]::new);
            for (int i = 0; i < 12; i++) {
                assertArrayEquals(H_ROWS[i % 6], all[i], "row " + i);
            }
            // h_pre keeps the negatives: row 1 is [0, 1, -1]
            assertArrayEquals(
                    new float[] {0, 1, -1}, rows(read(out.resolve("h_pre").resolve("shard-00000.npy")))[1]);
            assertEquals(m, ActivationManifest.read(out));
        }
    }

    @Test
    void theManifestNamesTheModelTheInputAndTheShards() throws IOException {
        Path out = dir.resolve("acts");
        try (OnnxTaps taps = sequenceModel(List.of("h"));
                ActivationExtractor ex = ActivationExtractor.builder(taps, out)
                        .rowsPerShard(100)
                        .input("six steps")
                        .build()) {
            ex.extract(Map.of("x", FloatTensor.of(X, 2, 3, 2)));
            ex.extract(Map.of("x", FloatTensor.of(new float[] {1, 0}, 1, 1, 2)));
            ex.note("purpose", "a test");
            ex.finish();
            ActivationManifest m = ActivationManifest.read(out);
            assertEquals(ActivationManifest.FORMAT_VERSION, m.formatVersion());
            assertEquals("seq.onnx", m.modelFile());
            assertEquals(taps.sha256(), m.modelSha256());
            assertEquals("six steps", m.input());
            assertEquals(3, m.inputItems()); // 2 + 1 sequences
            assertEquals(100, m.rowsPerShard());
            assertEquals(Map.of("purpose", "a test"), m.notes());
            assertEquals("[?, ?, 3]", m.taps().get(0).tensorShape()); // N and T changed between batches
            assertEquals(
                    List.of(new ActivationManifest.Shard("shard-00000.npy", 7)),
                    m.taps().get(0).shards());
            String json = Files.readString(out.resolve("manifest.json"));
            for (String field : new String[] {
                "\"format_version\" : 1",
                "\"complete\" : true",
                "\"model_sha256\"",
                "\"rows\" : 7",
                "\"width\" : 3",
                "\"non_finite\" : 0",
                "\"file\" : \"shard-00000.npy\""
            }) {
                assertTrue(json.contains(field), field + " missing from\n" + json);
            }
            try (Stream<Path> files = Files.list(out.resolve("h"))) {
                assertEquals(
                        List.of("shard-00000.npy"),
                        files.map(p -> p.getFileName().toString()).toList()); // no temporary files
            }
        }
    }

    @Test
    void withoutFinishTheManifestListsOnlyTheFullShards() throws IOException {
        Path out = dir.resolve("acts");
        try (OnnxTaps taps = sequenceModel(List.of("h"))) {
            try (ActivationExtractor ex =
                    ActivationExtractor.builder(taps, out).rowsPerShard(4).build()) {
                ex.extract(Map.of("x", FloatTensor.of(X, 2, 3, 2)));
            }
            ActivationManifest m = ActivationManifest.read(out);
            assertFalse(m.complete());
            assertEquals(4, m.taps().get(0).rows());
            assertEquals(1, m.taps().get(0).shards().size());
        }
    }

    @Test
    void anOutputDirectoryThatHoldsFilesIsRefused() throws IOException {
        Path out = Files.createDirectories(dir.resolve("acts"));
        Files.writeString(out.resolve("old.npy"), "old");
        try (OnnxTaps taps = sequenceModel(List.of("h"))) {
            IOException e = assertThrows(
                    IOException.class,
                    () -> ActivationExtractor.builder(taps, out).build());
            assertTrue(e.getMessage().startsWith(out + " is not empty"), e.getMessage());
        }
    }

    @Test
    void rowsThatChangeWidthBetweenBatchesAreAnError() throws IOException {
        Path model = Files.write(dir.resolve("any.onnx"), TinyModels.anyWidth());
        try (OnnxTaps taps = OnnxTaps.open(model, List.of("r"));
                ActivationExtractor ex =
                        ActivationExtractor.builder(taps, dir.resolve("acts")).build()) {
            ex.extract(Map.of("x", FloatTensor.of(new float[] {1, -2, 3, -4}, 2, 2)));
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> ex.extract(Map.of("x", FloatTensor.of(new float[] {1, 2, 3}, 1, 3))));
            assertEquals(
                    "tap 'r' returned [1, 3], rows of 3 values, after rows of 2 values: every batch must give the"
                            + " same last dimension",
                    e.getMessage());
        }
    }

    @Test
    void nonFiniteValuesAreCounted() throws IOException {
        Path model = Files.write(dir.resolve("any.onnx"), TinyModels.anyWidth());
        try (OnnxTaps taps = OnnxTaps.open(model, List.of("r"));
                ActivationExtractor ex =
                        ActivationExtractor.builder(taps, dir.resolve("acts")).build()) {
            // relu(NaN) = NaN, relu(+inf) = +inf, relu(-inf) = 0
            ex.extract(Map.of(
                    "x",
                    FloatTensor.of(
                            new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1}, 2, 2)));
            assertEquals(2, ex.finish().taps().get(0).nonFinite());
        }
    }

    @Test
    void tapNamesBecomeSafeDirectoryNames() {
        assertEquals("p2o.Add.241", ActivationExtractor.directoryName("p2o.Add.241"));
        assertEquals(
                "_model_layers.0_mlp_Add_output_0",
                ActivationExtractor.directoryName("/model/layers.0/mlp/Add_output_0"));
        assertEquals("_..", ActivationExtractor.directoryName(".."));
        assertEquals("_", ActivationExtractor.directoryName(""));
        assertEquals("a_b_c", ActivationExtractor.directoryName("a:b\\c"));
    }

    @Test
    void rowsPerShardMustBePositive() throws IOException {
        try (OnnxTaps taps = sequenceModel(List.of("h"))) {
            assertEquals(
                    "rowsPerShard must be > 0, was 0",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> ActivationExtractor.builder(taps, dir.resolve("acts"))
                                            .rowsPerShard(0))
                            .getMessage());
        }
    }

    private static INDArray read(Path file) {
        try {
            return Npy.read(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
