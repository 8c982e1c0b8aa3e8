package dev.saekit.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.SyntheticData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A small sweep end to end: its files, its measurements, resuming, refusals and a downstream evaluator. */
class SweepRunnerTest {
    // 512 rows of width 16 from 48 unit atoms, 4 active per row: 8 steps per epoch of 64 rows
    private static final InMemoryDataset DATA = SyntheticData.sparseDictionary(512, 16, 48, 4, DType.FLOAT32, 3);

    private static final SweepGrid GRID = SweepGrid.builder()
            .k(TopKSpec.KIND, 2, 6)
            .l1(VanillaSpec.KIND, 1e-5, 3e-2)
            .build();

    private static SweepSettings.Builder settings() {
        return SweepSettings.builder(32).epochs(2).batchSize(64).optimizer(OptimizerConfig.adam(1e-2));
    }

    /** Counts what the sweep reports. */
    private static final class Events implements SweepListener {
        final List<String> trained = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();

        @Override
        public void onCellStart(SweepCell cell, int position) {
            trained.add(cell.id());
        }

        @Override
        public void onCellSkipped(CellResult result) {
            skipped.add(result.cell().id());
        }
    }

    private static SweepResult run(Path dir, SweepGrid grid, SweepSettings s, boolean resume, SweepListener l)
            throws IOException {
        return SweepRunner.builder(dir, grid, s, DATA)
                .resume(resume)
                .listener(l)
                .build()
                .run();
    }

    @Test
    void everyCellIsTrainedMeasuredAndSavedWhereTheCommandsReadIt(@TempDir Path dir) throws IOException {
        SweepResult r = run(dir, GRID, settings().build(), false, new Events());
        assertEquals(4, r.rows().size());
        assertTrue(r.complete());
        for (CellResult row : r.rows()) {
            assertTrue(row.l0() > 0 && row.fvu() >= 0 && Double.isFinite(row.fvu()), row.toString());
            assertEquals(1 - row.fvu(), row.explainedVariance(), 1e-12, row.toString());
            Checkpoint c = Checkpoints.load(r.cellDirectory(row.cell()));
            assertEquals(row.cell().variant(), c.spec().variant().kind());
        }
        // a TopK cell keeps at most k codes per row, and more codes reconstruct better
        assertTrue(r.rows().get(0).l0() <= 2 && r.rows().get(1).l0() <= 6, r.table());
        assertTrue(r.rows().get(1).fvu() < r.rows().get(0).fvu(), r.table());
        // the L1 coefficient, not a target L0, places vanilla: a 3000x larger penalty lands at a much smaller L0
        List<CellResult> vanilla = r.frontier(VanillaSpec.KIND);
        assertEquals(
                List.of("vanilla-l1-0.03", "vanilla-l1-1e-5"),
                vanilla.stream().map(x -> x.cell().id()).toList());
        assertTrue(vanilla.get(0).l0() < vanilla.get(1).l0() / 2, r.table());

        List<String> csv = Files.readAllLines(r.csv());
        assertEquals(String.join(",", FrontierCsv.COLUMNS), csv.get(0));
        assertEquals(5, csv.size());
        assertEquals(r.rows(), FrontierCsv.read(r.csv()));
        assertTrue(Files.isRegularFile(dir.resolve("sweep.json")));
    }

    @Test
    void aResumedSweepSkipsFinishedCellsAndWritesTheSameFrontier(@TempDir Path dir) throws IOException {
        SweepResult first = run(dir, GRID, settings().build(), false, new Events());
        String csv = Files.readString(first.csv());
        Events events = new Events();
        SweepResult again = run(dir, GRID, settings().build(), true, events);
        assertEquals(List.of(), events.trained);
        assertEquals(4, events.skipped.size());
        assertEquals(csv, Files.readString(again.csv()));
    }

    @Test
    void aCellCutShortIsTrainedAgainAndLandsWhereAnUninterruptedRunDid(@TempDir Path dir) throws IOException {
        SweepResult first = run(dir, GRID, settings().build(), false, new Events());
        SweepCell cut = GRID.cells().get(1);
        Files.delete(first.cellDirectory(cut).resolve(SweepRunner.RESULT)); // as if killed before its result
        Events events = new Events();
        SweepResult again = run(dir, GRID, settings().build(), true, events);
        assertEquals(List.of(cut.id()), events.trained);
        CellResult before = first.rows().get(1);
        CellResult after = again.rows().get(1);
        // same seed, same batches, same threads: the same model up to float32 summation order
        assertEquals(before.l0(), after.l0(), 1e-3 * before.l0());
        assertEquals(before.fvu(), after.fvu(), 1e-3 * before.fvu());
    }

    @Test
    void aGridMayGrowOnResumeAndOnlyItsNewCellsTrain(@TempDir Path dir) throws IOException {
        SweepGrid small = SweepGrid.builder().k(TopKSpec.KIND, 2).build();
        run(dir, small, settings().build(), false, new Events());
        Events events = new Events();
        SweepResult r = run(dir, GRID, settings().build(), true, events);
        assertEquals(List.of("topk-k2"), events.skipped);
        assertEquals(List.of("topk-k6", "vanilla-l1-1e-5", "vanilla-l1-0.03"), events.trained);
        assertEquals(4, FrontierCsv.read(r.csv()).size());
    }

    @Test
    void aResumeWithOtherSettingsIsRefusedNamingTheSetting(@TempDir Path dir) throws IOException {
        SweepGrid small = SweepGrid.builder().k(TopKSpec.KIND, 2).build();
        run(dir, small, settings().build(), false, new Events());
        SweepMismatchException lr = assertThrows(
                SweepMismatchException.class,
                () -> run(
                        dir,
                        small,
                        settings().optimizer(OptimizerConfig.adam(1e-3)).build(),
                        true,
                        new Events()));
        assertEquals("training.optimizer.learning_rate", lr.setting());
        assertTrue(lr.getMessage().contains("0.01") && lr.getMessage().contains("0.001"), lr.getMessage());
        SweepMismatchException concepts = assertThrows(
                SweepMismatchException.class,
                () -> run(
                        dir,
                        small,
                        SweepSettings.builder(16).epochs(2).batchSize(64).build(),
                        true,
                        new Events()));
        assertEquals("concepts", concepts.setting());
        IllegalStateException notResumed = assertThrows(
                IllegalStateException.class, () -> run(dir, small, settings().build(), false, new Events()));
        assertTrue(notResumed.getMessage().contains("holds a sweep already"), notResumed.getMessage());
    }

    @Test
    void progressIsOneLinePerCellOverTheWholeGridCountingCellsFoundTrained(@TempDir Path dir) throws IOException {
        SweepGrid small = SweepGrid.builder().k(TopKSpec.KIND, 2).build();
        run(dir, small, settings().build(), false, new Events());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        run(dir, GRID, settings().build(), true, new SweepProgressBar(new java.io.PrintStream(bytes, true), false));
        List<String> lines =
                bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals("sweep: 4 cells (topk, vanilla) x 16 steps, 1 already trained", lines.get(0));
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).startsWith("cell 2/4 topk k=6 "), lines.get(1));
        assertTrue(
                lines.get(3).startsWith("cell 4/4 vanilla l1=0.03 ")
                        && lines.get(3).endsWith("left 0s"),
                lines.get(3));
    }

    @Test
    void aCellThatDivergesStopsTheSweepNamingItAndKeepsTheCellsBefore(@TempDir Path dir) throws IOException {
        // float32 squares of 1e30 overflow: the first step's loss is not finite
        InMemoryDataset huge = InMemoryDataset.of(
                DATA.matrix().mul(1e30).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT), "huge rows");
        SweepGrid grid = SweepGrid.builder().k(TopKSpec.KIND, 2).build();
        dev.saekit.train.TrainingDivergedException e = assertThrows(
                dev.saekit.train.TrainingDivergedException.class,
                () -> SweepRunner.builder(dir, grid, settings().build(), huge)
                        .build()
                        .run());
        assertTrue(e.getMessage().contains("cell topk-k2: "), e.getMessage());
        assertTrue(e.getMessage().contains("resume without k=2 for topk"), e.getMessage());
        assertEquals(
                List.of(FrontierCsv.COLUMNS.stream()
                        .reduce((a, b) -> a + "," + b)
                        .orElseThrow()),
                Files.readAllLines(dir.resolve(SweepRunner.FRONTIER)));
    }

    @Test
    void aCellThatCannotBeBuiltIsRefusedBeforeAnythingIsWritten(@TempDir Path tmp) {
        Path dir = tmp.resolve("sweep");
        SweepGrid tooLarge = SweepGrid.builder().k(TopKSpec.KIND, 8, 33).build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> run(dir, tooLarge, settings().build(), false, new Events()));
        assertTrue(e.getMessage().startsWith("cell topk-k33: "), e.getMessage());
        assertFalse(Files.exists(dir));
    }

    @Test
    void anEvaluatorsColumnsReachTheResultsAndTheCsvAndFillCellsTrainedWithoutIt(@TempDir Path dir) throws IOException {
        SweepGrid small = SweepGrid.builder().k(TopKSpec.KIND, 2, 6).build();
        INDArray mean = DATA.meanRow();
        // the evaluator reconstructs raw rows through the preprocessing, so its cosine must match the SAE's
        DownstreamEvaluator cosine = (model, pre, cell) -> {
            INDArray raw = pre.restore(DATA.matrix());
            INDArray back = pre.restore(model.forward(pre.apply(raw)).reconstruction());
            double c = raw.mul(back).sumNumber().doubleValue()
                    / (raw.norm2Number().doubleValue() * back.norm2Number().doubleValue());
            return Map.of("cosine", c, "k_seen", (double) cell.level().value());
        };
        SweepRunner.builder(
                        dir,
                        SweepGrid.builder().k(TopKSpec.KIND, 2).build(),
                        settings().build(),
                        DATA)
                .preprocessing(new Preprocessing(mean, 2.0))
                .build()
                .run();
        SweepResult r = SweepRunner.builder(dir, small, settings().build(), DATA)
                .preprocessing(new Preprocessing(mean, 2.0))
                .evaluator(cosine)
                .resume(true)
                .build()
                .run();
        assertEquals(List.of("cosine", "k_seen"), r.downstreamColumns());
        for (CellResult row : r.rows()) {
            assertEquals(row.cell().level().value(), row.downstream().get("k_seen"));
            assertTrue(row.downstream().get("cosine") > 0.3, r.table());
        }
        String header = Files.readAllLines(r.csv()).get(0);
        assertTrue(header.endsWith(",cosine,k_seen"), header);
        assertEquals(r.rows(), FrontierCsv.read(r.csv()));
        Checkpoint saved = Checkpoints.load(r.cellDirectory(small.cells().get(0)));
        assertEquals(2.0, Preprocessing.fromAttachments(saved.attachments()).scale());
        assertTrue(r.table().contains("cosine"), r.table());
    }
}
