package dev.saekit.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.MsaeSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.train.LossSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Levels, cells and grids: which variant takes which level, what a cell's model and loss are, the JSON form. */
class SweepGridTest {

    static List<VariantKind> variants() {
        return VariantSpec.kinds();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyVariantIsSweptByItsKOrItsL1Coefficient(VariantKind v) {
        LevelKind kind = LevelKind.of(v);
        SparsityLevel level = kind == LevelKind.K ? new SparsityLevel.K(8) : new SparsityLevel.L1(1e-4);
        SweepCell cell = new SweepCell(v, level);
        // the cell's model builds, and an L1 cell's loss carries its coefficient
        assertEquals(v, cell.modelSpec(SaeConfig.of(16, 64)).variant().kind());
        LossSpec loss = cell.loss(true).spec();
        assertEquals(kind == LevelKind.L1, loss.equals(new LossSpec.MseL1(1e-4)), loss.toString());
        SparsityLevel other = kind == LevelKind.K ? new SparsityLevel.L1(1e-4) : new SparsityLevel.K(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SweepCell(v, other));
        assertTrue(e.getMessage().contains("is swept by " + kind.label()), e.getMessage());
    }

    @Test
    void aKLevelSetsTheVariantsKAndMsaesLargestNestingLevel() {
        SaeConfig config = SaeConfig.of(16, 64);
        assertEquals(24, ((TopKSpec) new SweepCell(TopKSpec.KIND, new SparsityLevel.K(24)).variantSpec(config)).k());
        assertEquals(5, ((MpSpec) new SweepCell(MpSpec.KIND, new SparsityLevel.K(5)).variantSpec(config)).k());
        // 16 / 4 = 4, 16 / 2 = 8, 16; and k = 2 keeps 1 and 2 (0 is no level)
        assertEquals(
                List.of(4, 8, 16),
                ((MsaeSpec) new SweepCell(MsaeSpec.KIND, new SparsityLevel.K(16)).variantSpec(config)).nesting());
        assertEquals(
                List.of(1, 2),
                ((MsaeSpec) new SweepCell(MsaeSpec.KIND, new SparsityLevel.K(2)).variantSpec(config)).nesting());
    }

    @Test
    void aKAboveTheConceptsIsRefusedNamingTheCell() {
        SweepCell cell = new SweepCell(TopKSpec.KIND, new SparsityLevel.K(65));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> cell.modelSpec(SaeConfig.of(16, 64)));
        assertTrue(e.getMessage().contains("k must be in 1..64"), e.getMessage());
    }

    @Test
    void theTopKVariantsAddAuxKAndTheOthersDoNot() {
        assertTrue(
                new SweepCell(BatchTopKSpec.KIND, new SparsityLevel.K(8))
                                .loss(true)
                                .spec()
                        instanceof LossSpec.Sum);
        assertTrue(
                new SweepCell(BatchTopKSpec.KIND, new SparsityLevel.K(8))
                                .loss(false)
                                .spec()
                        instanceof LossSpec.Mse);
        assertTrue(
                new SweepCell(JumpReluSpec.KIND, new SparsityLevel.L1(1e-3))
                                .loss(true)
                                .spec()
                        instanceof LossSpec.MseL1);
    }

    @Test
    void levelsAreWrittenExactlyAndShort() {
        assertEquals("16", new SparsityLevel.K(16).text());
        assertEquals("100", new SparsityLevel.K(100).text());
        assertEquals("0.03", new SparsityLevel.L1(0.03).text());
        assertEquals("7e-5", new SparsityLevel.L1(7e-5).text());
        assertEquals("1.25e-4", new SparsityLevel.L1(1.25e-4).text());
        assertEquals("0", new SparsityLevel.L1(0).text());
        for (double v : new double[] {7e-5, 1.25e-4, 1.5e-9, 0.03}) {
            assertEquals(v, Double.parseDouble(new SparsityLevel.L1(v).text()));
        }
    }

    @Test
    void cellNamesAreTheVariantAndLevel() {
        assertEquals("topk-k16", new SweepCell(TopKSpec.KIND, new SparsityLevel.K(16)).id());
        assertEquals("vanilla-l1-3e-4", new SweepCell(VanillaSpec.KIND, new SparsityLevel.L1(3e-4)).id());
        assertEquals("vanilla l1=1.5e-9", new SweepCell(VanillaSpec.KIND, new SparsityLevel.L1(1.5e-9)).label());
    }

    @Test
    void aGridRoundTripsThroughJsonAndRefusesEmptyOrRepeatedLevels() {
        SweepGrid grid = SweepGrid.builder()
                .k(TopKSpec.KIND, 8, 16)
                .l1(VanillaSpec.KIND, 1e-4, 3e-4)
                .k(BatchTopKSpec.KIND, 8)
                .build();
        assertEquals(grid, SweepGrid.fromJson(grid.toJson()));
        assertEquals(List.of(TopKSpec.KIND, VanillaSpec.KIND, BatchTopKSpec.KIND), grid.variants());
        IllegalArgumentException empty = assertThrows(
                IllegalArgumentException.class, () -> SweepGrid.builder().build());
        assertTrue(empty.getMessage().contains("at least one variant"), empty.getMessage());
        IllegalArgumentException twice = assertThrows(
                IllegalArgumentException.class,
                () -> SweepGrid.builder().k(TopKSpec.KIND, 8, 8).build());
        assertTrue(twice.getMessage().contains("topk-k8 twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LevelKind.K.level(2.5));
    }

    @Test
    void settingsRoundTripThroughJson() {
        SweepSettings s = SweepSettings.builder(64)
                .epochs(3)
                .batchSize(128)
                .seed(7)
                .optimizer(dev.saekit.train.OptimizerConfig.adam(1e-2))
                .schedule(dev.saekit.train.Schedule.cosine(0.05, 0.1))
                .auxK(false)
                .build();
        assertEquals(s, SweepSettings.fromJson(s.toJson()));
    }
}
