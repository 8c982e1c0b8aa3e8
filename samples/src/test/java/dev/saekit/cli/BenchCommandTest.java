package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

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
