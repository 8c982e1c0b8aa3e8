package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.concepts.ConceptStatistics.Settings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every statistic of one pass against a brute-force computation over all rows. */
class ConceptStatisticsTest {
    private static final int ROWS = 500;
    private static final int CONCEPTS = 12;
    private static final Settings SETTINGS =
            Settings.of(CONCEPTS).withTop(7).withSamples(9).withSeed(42).withLabelSlots(16);

    /** 10 labels (-2..7): every concept fires on at most 16, so its label counts are exact. */
    private final SparseRows data = new SparseRows(1, ROWS, CONCEPTS, 10);

    private ConceptStatistics pass(Settings settings) {
        ConceptStatistics s = new ConceptStatistics(settings);
        data.addInBlocks(s, 0, ROWS, new Random(7));
        return s;
    }

    private List<Hit> firings(int c) {
        List<Hit> all = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            float v = data.get(r, c);
            if (v != 0) {
                all.add(new Hit(r, v));
            }
        }
        return all;
    }

    @Test
    void countsMomentsAndExtremesAreThoseOfTheNonZeroValues() {
        ConceptStatistics s = pass(SETTINGS);
        assertEquals(ROWS, s.rows());
        for (int c = 0; c < CONCEPTS; c++) {
            List<Hit> all = firings(c);
            assertTrue(all.size() > 20, "the fixture fires every concept often");
            assertEquals(all.size(), s.fired(c));
            assertEquals(all.size() / (double) ROWS, s.density(c));
            assertEquals(all.stream().mapToDouble(Hit::value).max().orElseThrow(), s.max(c));
            assertEquals(all.stream().mapToDouble(Hit::value).min().orElseThrow(), s.min(c));
            Expect.sumsOf(data, s, c);
            assertEquals(s.sum[c] / all.size(), s.mean(c));
            double mean = s.mean(c);
            assertEquals(Math.sqrt(s.sumSquares[c] / all.size() - mean * mean), s.std(c));
        }
    }

    @Test
    void aConceptThatNeverFiredHasNaNMomentsAndNothingKept() {
        ConceptStatistics s = new ConceptStatistics(SETTINGS);
        assertTrue(Double.isNaN(s.density(0)), "no rows yet");
        s.add(0, 3, new int[] {0, 1, 1, 2}, new int[] {1, 1}, new float[] {2f, 0f}, null);
        assertEquals(0, s.fired(0));
        assertEquals(0.0, s.density(0));
        assertTrue(Double.isNaN(s.mean(0)) && Double.isNaN(s.std(0)));
        assertTrue(Double.isNaN(s.max(0)) && Double.isNaN(s.min(0)));
        assertEquals(List.of(), s.top(0));
        assertEquals(List.of(), s.samples(0));
        assertEquals(0, s.histogram(0).total());
        // concept 1 fired once (2.0 in row 0; the explicit zero in row 2 does not fire): std 0
        assertEquals(1, s.fired(1));
        assertEquals(0.0, s.std(1));
        assertEquals(List.of(new Hit(0, 2f)), s.top(1));
    }

    @Test
    void keepsTheLargestValuesTiesToTheLowerRow() {
        ConceptStatistics s = pass(SETTINGS);
        for (int c = 0; c < CONCEPTS; c++) {
            List<Hit> all = firings(c);
            all.sort(Expect.BEST_FIRST);
            assertEquals(all.subList(0, 7), s.top(c), "concept " + c);
        }
    }

    @Test
    void samplesTheRowsOfSmallestPriority() {
        ConceptStatistics s = pass(SETTINGS);
        for (int c = 0; c < CONCEPTS; c++) {
            int concept = c;
            List<Hit> all = firings(c);
            all.sort(Comparator.comparingLong((Hit h) -> ConceptStatistics.priority(42, concept, h.row()))
                    .thenComparingLong(Hit::row));
            List<Hit> want = new ArrayList<>(all.subList(0, 9));
            want.sort(Comparator.comparingDouble(Hit::value).thenComparingLong(Hit::row));
            assertEquals(want, s.samples(c), "concept " + c);
        }
    }

    @Test
    void anotherSeedSamplesOtherRows() {
        ConceptStatistics a = pass(SETTINGS);
        ConceptStatistics b = pass(SETTINGS.withSeed(43));
        int differ = 0;
        for (int c = 0; c < CONCEPTS; c++) {
            differ += a.samples(c).equals(b.samples(c)) ? 0 : 1;
        }
        assertEquals(CONCEPTS, differ);
    }

    @Test
    void histogramsBinEachMagnitudeByAScanOfTheEdges() {
        ConceptStatistics s = pass(SETTINGS);
        long outside = 0;
        for (int c = 0; c < CONCEPTS; c++) {
            Histogram h = s.histogram(c);
            double[] edges = h.edges();
            int bins = edges.length - 1;
            long[] want = new long[2 * (bins + 2)];
            for (Hit hit : firings(c)) {
                float m = Math.abs(hit.value());
                int slot = 0;
                while (slot <= bins && m >= edges[slot]) {
                    slot++;
                }
                want[(hit.value() < 0 ? bins + 2 : 0) + slot]++;
            }
            long[] got = new long[want.length];
            got[0] = h.underflow();
            System.arraycopy(h.counts(), 0, got, 1, bins);
            got[bins + 1] = h.overflow();
            got[bins + 2] = h.negativeUnderflow();
            System.arraycopy(h.negativeCounts(), 0, got, bins + 3, bins);
            got[2 * bins + 3] = h.negativeOverflow();
            assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(got), "concept " + c);
            assertEquals(s.fired(c), h.total());
            outside += h.underflow() + h.overflow() + h.negativeUnderflow() + h.negativeOverflow();
        }
        assertTrue(outside > 0, "the fixture has magnitudes outside the bins");
    }

    @Test
    void labelCountsAreExactWhileAConceptFiresOnFewLabels() {
        ConceptStatistics s = pass(SETTINGS);
        for (int c = 0; c < CONCEPTS; c++) {
            Map<Integer, List<Double>> byLabel = labelValues(c);
            List<LabelCount> got = s.labels(c);
            assertEquals(byLabel.size(), got.size(), "concept " + c);
            assertEquals(0, s.labelError(c));
            for (int i = 0; i < got.size(); i++) {
                LabelCount l = got.get(i);
                List<Double> values = byLabel.get(l.label());
                assertEquals(values.size(), l.count(), "concept " + c + " label " + l.label());
                Expect.sumOf(values, l.meanValue() * l.count(), "concept " + c + " label " + l.label());
                if (i > 0) {
                    LabelCount p = got.get(i - 1);
                    assertTrue(p.count() > l.count() || (p.count() == l.count() && p.label() < l.label()));
                }
            }
        }
    }

    @Test
    void labelCountsStayWithinTheErrorBoundWhenSlotsRunOut() {
        SparseRows many = new SparseRows(2, ROWS, CONCEPTS, 60);
        ConceptStatistics s = new ConceptStatistics(SETTINGS.withLabelSlots(5));
        many.addInBlocks(s, 0, ROWS, new Random(3));
        long approximate = 0;
        for (int c = 0; c < CONCEPTS; c++) {
            Map<Integer, Long> truth = new HashMap<>();
            for (int r = 0; r < ROWS; r++) {
                if (many.get(r, c) != 0) {
                    truth.merge(many.labels[r], 1L, Long::sum);
                }
            }
            assertTrue(truth.size() > 5, "concept " + c + " fires on more labels than slots");
            Labels.withinBounds(truth, s.labels(c), s.labelError(c), 5, "concept " + c);
            approximate += s.labelError(c) > 0 ? 1 : 0;
        }
        assertEquals(CONCEPTS, approximate);
    }

    @Test
    void coFiringCountsEveryPairOfConceptsInARow() {
        ConceptStatistics s = pass(SETTINGS);
        for (int i = 0; i < CONCEPTS; i++) {
            List<CoFiring> want = new ArrayList<>();
            for (int j = 0; j < CONCEPTS; j++) {
                long both = 0;
                for (int r = 0; r < ROWS; r++) {
                    both += data.get(r, i) != 0 && data.get(r, j) != 0 ? 1 : 0;
                }
                assertEquals(both, s.cofired(i, j), i + " with " + j);
                assertEquals(both, s.cofired(j, i));
                if (j != i && both > 0) {
                    want.add(new CoFiring(j, both, both / (double) (s.fired(i) + s.fired(j) - both)));
                }
            }
            want.sort(Comparator.comparingDouble(CoFiring::jaccard)
                    .reversed()
                    .thenComparing(Comparator.comparingLong(CoFiring::count).reversed())
                    .thenComparingInt(CoFiring::concept));
            assertEquals(want.subList(0, 4), s.cofiring(i, 4));
            assertEquals(want, s.cofiring(i, CONCEPTS));
        }
        assertEquals(List.of(), pass(SETTINGS.withCofiring(false)).cofiring(0, 3));
    }

    private Map<Integer, List<Double>> labelValues(int c) {
        Map<Integer, List<Double>> byLabel = new HashMap<>();
        for (int r = 0; r < ROWS; r++) {
            float v = data.get(r, c);
            if (v != 0) {
                byLabel.computeIfAbsent(data.labels[r], k -> new ArrayList<>()).add((double) v);
            }
        }
        return byLabel;
    }
}
