package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Comparisons of statistics gathered in different ways: what must agree exactly, and sums to within their rounding. */
final class Expect {
    private Expect() {}

    /**
     * Everything a different order, partition or merge of the same rows must not change: rows, fired
     * counts, extremes, top values, samples, histograms, co-firing counts.
     */
    static void sameExactParts(ConceptStatistics want, ConceptStatistics got) {
        assertEquals(want.settings(), got.settings());
        assertEquals(want.rows(), got.rows());
        for (int c = 0; c < want.concepts(); c++) {
            String at = "concept " + c;
            assertEquals(want.fired(c), got.fired(c), at);
            assertEquals(want.max(c), got.max(c), at);
            assertEquals(want.min(c), got.min(c), at);
            assertEquals(want.top(c), got.top(c), at);
            assertEquals(want.samples(c), got.samples(c), at);
            assertEquals(want.histogram(c), got.histogram(c), at);
            if (want.settings().cofiring()) {
                for (int j = 0; j < want.concepts(); j++) {
                    assertEquals(want.cofired(c, j), got.cofired(c, j), at + " with " + j);
                }
                assertEquals(want.cofiring(c, 5), got.cofiring(c, 5), at);
            }
        }
    }

    /** {@link #sameExactParts}, and label counts equal too: for rows whose concepts fire on few enough labels. */
    static void sameExactPartsAndLabelCounts(ConceptStatistics want, ConceptStatistics got) {
        sameExactParts(want, got);
        for (int c = 0; c < want.concepts(); c++) {
            assertEquals(counts(want.labels(c)), counts(got.labels(c)), "concept " + c);
            assertEquals(want.labelError(c), got.labelError(c), "concept " + c);
        }
    }

    /** The labels and counts of a label list, without the mean values (which sum in another order). */
    static List<String> counts(List<LabelCount> labels) {
        List<String> l = new ArrayList<>();
        for (LabelCount x : labels) {
            l.add(x.label() + ":" + x.count());
        }
        return l;
    }

    /**
     * {@code got} is a sum of the {@code values} in some order: within the bound on recursive
     * summation, {@code (n - 1) u sum |v|} with {@code u = 2^-53} (plus a tiny slack for the order
     * of terms), of their exact sum.
     */
    static void sumOf(List<Double> values, double got, String what) {
        BigDecimal exact = BigDecimal.ZERO;
        double abs = 0;
        for (double v : values) {
            exact = exact.add(new BigDecimal(v));
            abs += Math.abs(v);
        }
        double bound = Math.max(1, values.size()) * Math.ulp(1.0) / 2 * abs * 1.01;
        double error = exact.subtract(new BigDecimal(got)).abs().doubleValue();
        assertTrue(
                error <= bound, what + ": " + got + " is " + error + " from the exact " + exact + ", bound " + bound);
    }

    /** The sum of the values concept {@code c} has in {@code data}, and their squares, as the statistics hold them. */
    static void sumsOf(SparseRows data, ConceptStatistics got, int c) {
        List<Double> values = new ArrayList<>();
        List<Double> squares = new ArrayList<>();
        for (int r = 0; r < data.rows; r++) {
            double v = data.get(r, c);
            if (v != 0) {
                values.add(v);
                squares.add(v * v);
            }
        }
        sumOf(values, got.sum[c], "sum of concept " + c);
        sumOf(squares, got.sumSquares[c], "sum of squares of concept " + c);
    }

    /** Hits largest value first, ties to the lower row. */
    static final Comparator<Hit> BEST_FIRST =
            Comparator.comparingDouble(Hit::value).reversed().thenComparingLong(Hit::row);
}
