package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.TopKSpec;
import dev.saekit.sweep.CellResult;
import dev.saekit.sweep.SweepCell;
import dev.saekit.sweep.SweepGrid;
import dev.saekit.sweep.SweepResult;
import dev.saekit.sweep.SweepSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The figures of a sweep: the FVU frontier always, the fidelity frontier when an evaluator added columns. */
class FrontierFilesTest {

    private static CellResult row(SweepCell cell, double l0, double fvu, Map<String, Double> downstream) {
        return new CellResult(cell, 64, l0, fvu, 1 - fvu, 0.0, 1.0, downstream);
    }

    @Test
    void aDownstreamColumnAddsTheFidelityFrontier(@TempDir Path dir) throws IOException {
        SweepGrid grid = SweepGrid.builder()
                .k(TopKSpec.KIND, 8, 16)
                .l1(JumpReluSpec.KIND, 1e-4)
                .build();
        List<SweepCell> cells = grid.cells();
        SweepResult result = new SweepResult(
                dir,
                grid,
                SweepSettings.builder(64).build(),
                List.of(
                        row(cells.get(0), 8, 0.4, Map.of("fraction_recovered", 0.7, "cosine", 0.9)),
                        row(cells.get(1), 16, 0.3, Map.of("fraction_recovered", 0.8, "cosine", 0.95)),
                        row(cells.get(2), 23.5, 0.25, Map.of("fraction_recovered", 0.85, "cosine", 0.97))));
        List<Path> written = FrontierFiles.write(result);
        assertEquals(
                List.of("frontier-fvu.svg", "frontier-fvu.png", "frontier-fidelity.svg", "frontier-fidelity.png"),
                written.stream().map(p -> p.getFileName().toString()).toList());
        String svg = Files.readString(dir.resolve("frontier-fidelity.svg"));
        for (String text : List.of("topk", "jumprelu", "l1=1e-4", "fraction of the model output recovered")) {
            assertTrue(svg.contains(text), text + " is not in the fidelity figure");
        }
        assertEquals("fraction_recovered", FrontierFiles.fidelityColumn(List.of("cosine", "fraction_recovered")));
        assertEquals("cosine", FrontierFiles.fidelityColumn(List.of("cosine")));
    }

    @Test
    void noFinishedCellDrawsNothing(@TempDir Path dir) throws IOException {
        SweepGrid grid = SweepGrid.builder().k(TopKSpec.KIND, 8).build();
        assertEquals(
                List.of(),
                FrontierFiles.write(
                        new SweepResult(dir, grid, SweepSettings.builder(64).build(), List.of())));
        assertTrue(Files.notExists(dir.resolve("frontier-fvu.svg")));
    }
}
