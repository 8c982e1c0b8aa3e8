package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.concepts.ConceptStatistics.Settings;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** A malformed block or setting is refused with a message that says what is wrong, and counts nothing. */
class ConceptStatisticsInputTest {
    private static final Settings SETTINGS = Settings.of(4);

    /** Adds the block to fresh statistics, expects a refusal mentioning {@code part}, and that nothing was counted. */
    private static void refused(
            String part, long firstRow, int rows, int[] indptr, int[] indices, float[] values, int[] labels) {
        ConceptStatistics s = new ConceptStatistics(SETTINGS);
        s.add(0, 1, new int[] {0, 1}, new int[] {2}, new float[] {1f}, new int[] {3});
        ConceptStatistics before = new ConceptStatistics(SETTINGS);
        before.merge(s);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> s.add(firstRow, rows, indptr, indices, values, labels));
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertEquals(before, s, "a refused block counts nothing");
    }

    @Test
    void refusesAnIndexOutsideTheConcepts() {
        refused(
                "indices[2] (row 11) is 4, not a concept in 0..3",
                10,
                2,
                new int[] {0, 1, 3},
                new int[] {0, 1, 4},
                new float[] {1, 1, 1},
                new int[] {1, 2});
        refused("is -1", 0, 1, new int[] {0, 1}, new int[] {-1}, new float[] {1}, null);
    }

    @Test
    void refusesAnIndptrThatDecreasesOrPointsPastTheEntries() {
        refused(
                "indptr decreases at row 1: indptr[1]=2 > indptr[2]=1",
                0,
                2,
                new int[] {0, 2, 1},
                new int[] {0, 1},
                new float[] {1, 1},
                null);
        refused(
                "indptr[2]=3 points past the entries",
                0,
                2,
                new int[] {0, 1, 3},
                new int[] {0, 1},
                new float[] {1, 1},
                null);
        refused(
                "indptr has 2 entries for a block of 2 rows",
                0,
                2,
                new int[] {0, 1},
                new int[] {0},
                new float[] {1},
                null);
        refused("indptr[0] is -1", 0, 1, new int[] {-1, 0}, new int[] {0}, new float[] {1}, null);
    }

    @Test
    void refusesTooFewLabelsADuplicateConceptOrANonFiniteValue() {
        refused(
                "labels has 1 entries for a block of 2 rows",
                0,
                2,
                new int[] {0, 1, 2},
                new int[] {0, 1},
                new float[] {1, 1},
                new int[] {7});
        refused("concept 1 appears twice in row 5", 5, 1, new int[] {0, 2}, new int[] {1, 1}, new float[] {1, 0}, null);
        refused(
                "values[1] (row 0, concept 2) is NaN",
                0,
                1,
                new int[] {0, 2},
                new int[] {1, 2},
                new float[] {1, Float.NaN},
                null);
        refused("is Infinity", 0, 1, new int[] {0, 1}, new int[] {1}, new float[] {Float.POSITIVE_INFINITY}, null);
        refused("firstRow and rows must be >= 0", -1, 1, new int[] {0, 0}, new int[0], new float[0], null);
        refused("must not be null", 0, 0, null, new int[0], new float[0], null);
    }

    @Test
    void refusesDenseCodesOfAnotherWidth() {
        ConceptStatistics s = new ConceptStatistics(SETTINGS);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> s.addDense(0, Tensors.zeros(DType.FLOAT32, 2, 5), null));
        assertTrue(e.getMessage().contains("codes must be [rows, 4], were [2, 5]"), e.getMessage());
    }

    @Test
    void queriesRefuseAConceptOutOfRange() {
        ConceptStatistics s = new ConceptStatistics(SETTINGS);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.fired(4))
                .getMessage()
                .contains("concept 4 is outside 0..3"));
        assertThrows(IllegalArgumentException.class, () -> s.cofired(0, -1));
        assertThrows(IllegalArgumentException.class, () -> s.cofiring(0, -1));
        ConceptStatistics off = new ConceptStatistics(SETTINGS.withCofiring(false));
        assertEquals(0, off.cofired(1, 1));
        assertThrows(IllegalStateException.class, () -> off.cofired(0, 1));
    }

    @Test
    void settingsNameTheFieldAndTheValue() {
        assertMessage("concepts must be >= 1, was 0", () -> Settings.of(0));
        assertMessage("top must be >= 0, was -1", () -> Settings.of(4).withTop(-1));
        assertMessage(
                "samples=2000 for 2000000 concepts is 4000000000 entries",
                () -> new Settings(2_000_000, 24, 2000, 0, 0, false, 10, -4, 4));
        assertMessage(
                "binsPerDecade must be in 1..1000, was 0", () -> Settings.of(4).withBins(0, -4, 4));
        assertMessage("were 4 and 4", () -> Settings.of(4).withBins(10, 4, 4));
        assertMessage("were -40 and 4", () -> Settings.of(4).withBins(10, -40, 4));
        // 70000 concepts: 2449965000 pairs, more than an array holds
        assertMessage(
                "co-firing counts for 70000 concepts need 2449965000 ints (9799860000 bytes)",
                () -> Settings.of(70_000).withCofiring(true));
        assertMessage("withCofiring(false)", () -> Settings.of(70_000).withCofiring(true));
        assertEquals(false, Settings.of(70_000).cofiring(), "the default counts co-firing only where it fits");
        assertEquals(true, Settings.of(65_536).cofiring());
        assertEquals(new Settings(4, 24, 64, 0, 64, true, 10, -4, 4), Settings.of(4));
    }

    private static void assertMessage(String part, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
