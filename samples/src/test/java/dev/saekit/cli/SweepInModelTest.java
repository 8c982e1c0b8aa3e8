package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.sweep.CellResult;
import dev.saekit.sweep.FrontierCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saekit sweep --model}: a sweep of SAEs on MiniLM's residual stream after layer 3 (a
 * harvest of 600 token rows) with every cell spliced back into MiniLM, and the refusals of the
 * evaluation's options.
 */
class SweepInModelTest {
    @TempDir
    static Path tmp;

    private static Path harvest;
    private static Path out;
    private static CliRun swept;

    /** 600 rows of width 384: 128 concepts, 10 epochs of 10 steps per cell. */
    private static final List<String> GRID = List.of(
            "--variants",
            "topk",
            "--concepts",
            "128",
            "--epochs",
            "10",
            "--batch-size",
            "64",
            "--lr",
            "4e-3",
            "--scale",
            "auto");

    private static CliRun sweep(Path data, Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("sweep", "--no-progress", "--out", dir.toString()));
        if (data != null) {
            args.addAll(List.of("--data", data.toString()));
        }
        args.addAll(GRID);
        args.addAll(Arrays.asList(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static final String[] IN_MODEL = {
        "--model", "minilm", "--tap", "residual:3", "--documents", "10", "--eval-threads", "1"
    };

    @BeforeAll
    static void harvestAndSweep() {
        harvest = tmp.resolve("harvest");
        CliRun h =
                CliRun.of("harvest", "--out", harvest.toString(), "--tokens", "600", "--threads", "1", "--no-progress");
        assertEquals(0, h.exitCode(), h.err());
        out = tmp.resolve("sweep");
        List<String> args = new ArrayList<>(List.of("--k", "4,16"));
        args.addAll(Arrays.asList(IN_MODEL));
        swept = sweep(harvest, out, args.toArray(String[]::new));
        assertEquals(0, swept.exitCode(), swept.err());
    }

    @Test
    void everyCellGetsTheDownstreamColumnsAndTheFidelityFigureIsDrawn() throws IOException {
        List<CellResult> rows = FrontierCsv.read(out.resolve("frontier.csv"));
        assertEquals(2, rows.size());
        assertEquals(
                List.of("cosine_splice", "fraction_recovered", "fraction_recovered_over_mean", "l2_ratio"),
                FrontierCsv.downstreamColumns(rows));
        for (CellResult r : rows) {
            Map<String, Double> d = r.downstream();
            // the splice is worse than the clean run and better than zeroing the tap
            assertTrue(d.get("fraction_recovered") > 0 && d.get("fraction_recovered") < 1, r.toString());
            assertTrue(d.get("fraction_recovered_over_mean") < 1, r.toString());
            assertTrue(d.get("cosine_splice") > 0 && d.get("cosine_splice") < 1, r.toString());
            assertTrue(d.get("l2_ratio") > 0.3 && d.get("l2_ratio") < 1.5, r.toString());
        }
        // 16 codes per row reconstruct better than 4, inside the model as well as outside
        assertTrue(rows.get(1).value("fraction_recovered") > rows.get(0).value("fraction_recovered"), rows.toString());
        assertTrue(Files.readString(out.resolve("frontier-fidelity.svg")).startsWith("<svg"));
        assertTrue(Files.isRegularFile(out.resolve("frontier-fidelity.png")));
    }

    @Test
    void theHarvestsDocumentsAreLeftOutAndItsSettingsFollowed() throws IOException {
        int trainedOn = HarvestDirectory.open(harvest).documentIds().size();
        assertTrue(trainedOn > 10, "the harvest covers " + trainedOn + " documents");
        String line = swept.out()
                .lines()
                .filter(l -> l.startsWith("evaluate  "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(swept.out()));
        assertTrue(line.startsWith("evaluate  all-MiniLM-L6-v2 at residual:3 (/encoder/layer.3/"), line);
        assertTrue(line.contains(" 10 documents of "), line);
        assertTrue(line.contains(", leaving out the " + trainedOn + " documents of " + harvest + ";"), line);
        assertTrue(line.endsWith("; special tokens drop, at most 128 tokens each"), line);
    }

    @Test
    void aResumedSweepWithAModelEvaluatesTheCellsFinishedWithout() throws IOException {
        Path dir = tmp.resolve("plain");
        CliRun plain = sweep(harvest, dir, "--k", "8");
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(FrontierCsv.downstreamColumns(FrontierCsv.read(dir.resolve("frontier.csv")))
                .isEmpty());
        assertFalse(Files.exists(dir.resolve("frontier-fidelity.svg")));
        List<String> args = new ArrayList<>(List.of("--k", "8", "--resume"));
        args.addAll(Arrays.asList(IN_MODEL));
        CliRun resumed = sweep(harvest, dir, args.toArray(String[]::new));
        assertEquals(0, resumed.exitCode(), resumed.err());
        List<CellResult> rows = FrontierCsv.read(dir.resolve("frontier.csv"));
        assertTrue(rows.get(0).value("fraction_recovered") > 0, rows.toString());
        assertTrue(Files.readString(dir.resolve("cells/topk-k8/result.json")).contains("fraction_recovered"));
        assertTrue(Files.exists(dir.resolve("frontier-fidelity.svg")));
    }

    @Test
    void aTapWithoutAModelAndTheReverseAreRefusedBeforeTheDataLoads() {
        Path dir = tmp.resolve("never");
        Path missing = tmp.resolve("no-such-data.npy");
        assertRefused(sweep(missing, dir, "--tap", "residual:3"), "--tap goes with --model");
        assertRefused(sweep(missing, dir, "--model", "minilm"), "--model minilm needs --tap");
        assertRefused(sweep(missing, dir, "--exclude", harvest.toString()), "there is no --model");
        assertRefused(
                sweep(missing, dir, "--model", "minilm", "--tap", "residual:3", "--exclude", tmp.toString()),
                "not a harvest directory");
        assertRefused(
                sweep(missing, dir, "--model", "minilm", "--tap", "residual:3", "--special", "some"),
                "--special: special tokens must be keep or drop");
        assertFalse(Files.exists(dir));
    }

    @Test
    void aTapOfAnotherWidthOrAnotherTapThanTheHarvestsIsRefusedBeforeTraining() {
        Path dir = tmp.resolve("refused");
        // the embedded GloVe vectors are 100 wide, MiniLM's residual stream 384
        assertRefused(
                sweep(null, dir, "--k", "4", "--model", "minilm", "--tap", "residual:3"),
                "--tap residual:3 of all-MiniLM-L6-v2 has rows of width 384, but the rows of --data have width 100");
        assertFalse(Files.exists(dir), "nothing is trained");
        assertRefused(
                sweep(harvest, dir, "--k", "4", "--model", "minilm", "--tap", "residual:4"), "give --tap residual:3");
        assertFalse(Files.exists(dir), "nothing is trained");
    }

    private static void assertRefused(CliRun run, String message) {
        assertEquals(SaekitCli.EXIT_USAGE, run.exitCode(), run.err());
        assertTrue(run.err().contains(message), run.err());
    }
}
