package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.concepts.ConceptStatistics.Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Statistics of disjoint rows merge into one pass's, in any order; label summaries merge symmetrically. */
class ConceptStatisticsMergeTest {
    private static final int ROWS = 500;
    private static final int CONCEPTS = 12;
    /** Few label slots for the 40 labels of the data: the label summaries are approximate. */
    private static final Settings SETTINGS =
            Settings.of(CONCEPTS).withTop(5).withSamples(8).withSeed(3).withLabelSlots(4);

    private static boolean[] randomPart(int[] assignment, int which) {
        boolean[] part = new boolean[assignment.length];
        for (int r = 0; r < assignment.length; r++) {
            part[r] = assignment[r] == which;
        }
        return part;
    }

    private static int[] assign(long seed, int parts) {
        Random rng = new Random(seed);
        int[] a = new int[ROWS];
        for (int r = 0; r < ROWS; r++) {
            a[r] = rng.nextInt(parts);
        }
        return a;
    }

    private static ConceptStatistics part(SparseRows data, int[] assignment, int which) {
        ConceptStatistics s = new ConceptStatistics(SETTINGS);
        data.addWhere(s, randomPart(assignment, which));
        return s;
    }

    /** A copy of {@code s}: merged into empty statistics, it is itself bit for bit. */
    private static ConceptStatistics copy(ConceptStatistics s) {
        ConceptStatistics c = new ConceptStatistics(s.settings());
        c.merge(s);
        assertEquals(s, c);
        return c;
    }

    private static void labelsWithinBounds(SparseRows data, ConceptStatistics s) {
        for (int c = 0; c < CONCEPTS; c++) {
            Map<Integer, Long> truth = new HashMap<>();
            for (int r = 0; r < ROWS; r++) {
                if (data.get(r, c) != 0) {
                    truth.merge(data.labels[r], 1L, Long::sum);
                }
            }
            Labels.withinBounds(truth, s.labels(c), s.labelError(c), SETTINGS.labelSlots(), "concept " + c);
        }
    }

    @Property(tries = 25)
    void twoRandomPartsMergeInEitherOrderIntoOnePass(@ForAll long seed) {
        SparseRows data = new SparseRows(seed, ROWS, CONCEPTS, 40);
        ConceptStatistics whole = new ConceptStatistics(SETTINGS);
        data.add(whole, 0, ROWS);
        int[] assignment = assign(seed, 2);
        ConceptStatistics a = part(data, assignment, 0);
        ConceptStatistics b = part(data, assignment, 1);
        ConceptStatistics ab = copy(a);
        ab.merge(b);
        ConceptStatistics ba = copy(b);
        ba.merge(a);
        Expect.sameExactParts(whole, ab);
        assertEquals(ab, ba); // labels and sums included, bit for bit
        for (int c = 0; c < CONCEPTS; c++) {
            Expect.sumsOf(data, ab, c);
        }
        labelsWithinBounds(data, ab);
    }

    @Test
    void threePartsMergeInAnyGroupingIntoOnePass() {
        SparseRows data = new SparseRows(8, ROWS, CONCEPTS, 40);
        ConceptStatistics whole = new ConceptStatistics(SETTINGS);
        data.addInBlocks(whole, 0, ROWS, new Random(1));
        int[] assignment = assign(9, 3);
        ConceptStatistics a = part(data, assignment, 0);
        ConceptStatistics b = part(data, assignment, 1);
        ConceptStatistics c = part(data, assignment, 2);
        ConceptStatistics left = copy(a); // (a + b) + c
        left.merge(b);
        left.merge(c);
        ConceptStatistics bc = copy(b); // a + (b + c)
        bc.merge(c);
        ConceptStatistics right = copy(a);
        right.merge(bc);
        ConceptStatistics reversed = copy(c); // (c + b) + a
        reversed.merge(b);
        reversed.merge(a);
        for (ConceptStatistics m : new ConceptStatistics[] {left, right, reversed}) {
            Expect.sameExactParts(whole, m);
            labelsWithinBounds(data, m);
            for (int k = 0; k < CONCEPTS; k++) {
                Expect.sumsOf(data, m, k);
            }
        }
    }

    @Test
    void labelCountsMergeExactlyWhileTheyFitTheSlots() {
        SparseRows data = new SparseRows(12, ROWS, CONCEPTS, 6);
        Settings roomy = SETTINGS.withLabelSlots(8);
        ConceptStatistics whole = new ConceptStatistics(roomy);
        data.add(whole, 0, ROWS);
        int[] assignment = assign(13, 2);
        ConceptStatistics a = new ConceptStatistics(roomy);
        data.addWhere(a, randomPart(assignment, 0));
        ConceptStatistics b = new ConceptStatistics(roomy);
        data.addWhere(b, randomPart(assignment, 1));
        a.merge(b);
        Expect.sameExactPartsAndLabelCounts(whole, a);
        for (int c = 0; c < CONCEPTS; c++) {
            assertEquals(0, a.labelError(c));
        }
    }

    @Test
    void mergingOtherSettingsNamesTheDifference() {
        ConceptStatistics a = new ConceptStatistics(SETTINGS);
        ConceptStatistics b = new ConceptStatistics(SETTINGS.withTop(6).withSeed(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
        assertTrue(e.getMessage().contains("top=5 here vs 6 there"), e.getMessage());
        assertTrue(e.getMessage().contains("seed=3 here vs 4 there"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.merge(a));
    }
}
