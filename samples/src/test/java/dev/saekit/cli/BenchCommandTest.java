package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit bench} prints one JSON object with the fields its documentation names (no timing is asserted). */
class BenchCommandTest {

    @Test
    void aSmallBenchmarkPrintsOneJsonObjectWithEveryField() throws Exception {
        CliRun run = CliRun.of(
                "bench",
                "--variant",
                "batchtopk",
                "--input",
                "16",
                "--concepts",
                "64",
                "--k",
                "4",
                "--batch",
                "32",
                "--steps",
                "3",
                "--warmup",
                "1");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out().strip());
        assertEquals("batchtopk", json.get("variant").asText());
        assertEquals(64, json.get("concepts").asInt());
        assertEquals(4, json.get("k").asInt());
        for (String field : new String[] {"median_s_per_step", "min_s_per_step", "max_s_per_step", "samples_per_s"}) {
            assertTrue(json.get(field).asDouble() > 0, field + " in " + json);
        }
        for (String field : new String[] {"encoder_gemm_s", "encoder_gemm_share"}) { // a tiny product may round to 0
            assertTrue(json.has(field) && json.get(field).asDouble() >= 0, field + " in " + json);
        }
        assertTrue(json.get("min_s_per_step").asDouble()
                <= json.get("median_s_per_step").asDouble());
        assertTrue(json.get("median_s_per_step").asDouble()
                <= json.get("max_s_per_step").asDouble());
        double expected = 32 / json.get("median_s_per_step").asDouble(); // from the median as printed (microseconds)
        assertEquals(expected, json.get("samples_per_s").asDouble(), expected * 0.01);
        assertTrue(json.get("peak_rss_mb").asLong() > 0, json.toString());
        assertTrue(json.get("memory_estimate_mb").asLong() >= 320, json.toString()); // at least the fixed part
        assertEquals(6, json.get("phase_s_per_step").size(), json.toString());
        assertEquals(5, json.get("encoder_gemm_runs_s").size(), json.toString());
        assertTrue(json.get("blas").has("vendor"), json.toString());
    }

    /** sparsify's AuxK with a frozen dead set, as sparsify's own benchmark runs it; mistakes get one clear line. */
    @Test
    void aFrozenDeadFractionGivesAuxKTheSameDeadConceptsAtEveryStep() throws Exception {
        String[] small = {
            "--input", "16", "--concepts", "64", "--k", "4", "--batch", "32", "--steps", "3", "--warmup", "1"
        };
        CliRun run =
                CliRun.of(concat(new String[] {"bench", "--aux", "auxk_sparsify", "--dead-fraction", "0.25"}, small));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out().strip());
        assertEquals("auxk_sparsify", json.get("aux").asText());
        assertEquals(0.25, json.get("dead_fraction_frozen").asDouble(), 0.0);
        assertEquals(0.25, json.get("mean_dead_fraction").asDouble(), 0.0, json.toString()); // 16 of 64, every step
        assertTrue(!json.has("dead_window"), json.toString());

        CliRun wrongAux = CliRun.of(concat(new String[] {"bench", "--dead-fraction", "0.1"}, small));
        assertEquals(2, wrongAux.exitCode());
        assertTrue(wrongAux.err().contains("--dead-fraction applies to --aux auxk and auxk_sparsify"), wrongAux.err());
        CliRun outOfRange = CliRun.of(concat(new String[] {"bench", "--aux", "auxk", "--dead-fraction", "1.5"}, small));
        assertEquals(2, outOfRange.exitCode());
        assertTrue(outOfRange.err().contains("--dead-fraction must be in (0, 1), was 1.5"), outOfRange.err());
    }

    @Test
    void withDataTheStepsTrainOnStreamedShardsAndTheJsonSaysHowLongTheyWaited(@TempDir Path dir) throws Exception {
        SeededRandom random = new SeededRandom(3);
        Npy.write(dir.resolve("shard-0.npy"), random.derive(0).normal(DType.FLOAT32, 1.0, 50, 12));
        Npy.write(dir.resolve("shard-1.npy"), random.derive(1).normal(DType.FLOAT32, 1.0, 30, 12));
        String[] small = {"--concepts", "32", "--k", "4", "--batch", "16", "--steps", "8", "--warmup", "1"};
        CliRun run = CliRun.of(concat(new String[] {"bench", "--data", dir.toString()}, small));
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out().strip());
        assertEquals(12, json.get("input").asInt()); // the shards' width
        assertEquals(dir.toString(), json.get("data").asText());
        assertEquals("streamed, read ahead", json.get("data_read").asText());
        assertEquals(80, json.get("data_rows").asLong()); // 9 steps of 16 rows: two epochs of 5 full batches
        assertTrue(json.get("data_wait_s_per_step").asDouble() >= 0, json.toString());
        assertTrue(
                json.get("data_wait_max_s").asDouble()
                        >= json.get("data_wait_s_per_step").asDouble(),
                json.toString());

        CliRun synthetic = CliRun.of(concat(new String[] {"bench", "--input", "12"}, small));
        assertEquals(0, synthetic.exitCode(), synthetic.err());
        assertEquals(
                "synthetic",
                new ObjectMapper().readTree(synthetic.out().strip()).get("data").asText());

        CliRun wrongInput = CliRun.of(concat(new String[] {"bench", "--data", dir.toString(), "--input", "8"}, small));
        assertEquals(2, wrongInput.exitCode());
        assertEquals(
                "saekit: error: --input 8 differs from the width of --data " + dir + ", 12; leave --input out",
                wrongInput.err().strip());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void productOnlyTimesTheProductAloneAndNamesTheBlas() throws Exception {
        CliRun run = CliRun.of(
                "bench",
                "--product-only",
                "--product-runs",
                "4",
                "--input",
                "32",
                "--concepts",
                "256",
                "--batch",
                "64");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out().strip());
        assertEquals(4, json.get("encoder_gemm_runs_s").size(), json.toString());
        assertTrue(json.get("encoder_gemm_s").asDouble() >= 0, json.toString());
        assertTrue(json.has("encoder_gflops"), json.toString());
        assertTrue(!json.has("median_s_per_step"), "nothing trained: " + json);
        JsonNode blas = json.get("blas");
        assertTrue(blas.get("libraries").size() >= 1, json.toString());
        assertTrue(blas.get("libraries").get(0).asText().matches(".*lib(openblas|mkl)[^/]*"), json.toString());
        assertTrue(blas.get("threads").asInt() >= 1, json.toString());

        CliRun bad = CliRun.of("bench", "--product-only", "--product-runs", "0");
        assertEquals(2, bad.exitCode());
        assertEquals(
                "saekit: error: --product-runs must be > 0, was 0", bad.err().strip());
    }

    @Test
    void vanillaStartedAtAnL0ReportsItsL0AndItsPath() throws Exception {
        for (String path : new String[] {"sparse", "dense"}) {
            CliRun run = CliRun.of(
                    "bench",
                    "--variant",
                    "vanilla",
                    "--input",
                    "16",
                    "--concepts",
                    "200",
                    "--batch",
                    "32",
                    "--steps",
                    "2",
                    "--warmup",
                    "1",
                    "--l0",
                    "4",
                    "--l1",
                    "1e-3",
                    "--path",
                    path);
            assertEquals(0, run.exitCode(), run.err());
            JsonNode json = new ObjectMapper().readTree(run.out().strip());
            assertEquals(1e-3, json.get("l1").asDouble(), 0.0);
            assertEquals(4, json.get("l0_target").asInt());
            assertEquals(path, json.get("path").asText());
            // the first batch's quantile: about 4 of 200 codes per row, which two Adam steps barely move
            double l0 = json.get("mean_l0").asDouble();
            assertTrue(l0 > 1 && l0 < 12, json.toString());
            assertEquals(
                    path.equals("sparse") ? 1.0 : 0.0,
                    json.get("sparse_path_fraction").asDouble(),
                    0.0);
        }
    }

    @Test
    void jumpReluStartedAtAnL0TakesTheSparsePathByItself() throws Exception {
        CliRun run = CliRun.of(
                "bench",
                "--variant",
                "jumprelu",
                "--input",
                "16",
                "--concepts",
                "400",
                "--batch",
                "32",
                "--steps",
                "2",
                "--warmup",
                "1",
                "--l0",
                "4");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out().strip());
        assertEquals("auto", json.get("path").asText());
        assertTrue(json.get("mean_l0").asDouble() < 0.04 * 400, json.toString());
        assertEquals(1.0, json.get("sparse_path_fraction").asDouble(), 0.0, json.toString());
    }

    @Test
    void sparsityOptionsAreRefusedForVariantsWithAK() {
        CliRun run = CliRun.of("bench", "--variant", "topk", "--l0", "8");
        assertEquals(2, run.exitCode());
        assertEquals(
                "saekit: error: --l0 starts a vanilla or jumprelu model sparse; --variant is topk",
                run.err().strip());
    }

    @Test
    void badSizesAreUsageErrors() {
        CliRun run = CliRun.of("bench", "--concepts", "0");
        assertEquals(2, run.exitCode());
        assertEquals("saekit: error: --concepts must be > 0, was 0", run.err().strip());
    }
}
