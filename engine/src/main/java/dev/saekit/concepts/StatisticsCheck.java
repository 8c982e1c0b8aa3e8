package dev.saekit.concepts;

import dev.saekit.io.MalformedFileException;
import java.util.function.Function;

/**
 * Whether statistics read from a file hold together the way a pass leaves them: every concept
 * fired on at most every row, keeps as many top values and samples as it fired (up to the
 * settings' numbers), has a histogram that counts each firing once, extremes that are set exactly
 * when it fired, and label counters in ascending label order that count no more than it fired.
 * Catches a corrupt file before its numbers reach a dashboard, or a merge that would fail later.
 */
final class StatisticsCheck {
    private StatisticsCheck() {}

    static void check(ConceptStatistics s, Function<String, MalformedFileException> malformed)
            throws MalformedFileException {
        int slots = s.bins.bins + 2;
        for (int c = 0; c < s.concepts(); c++) {
            long fired = s.fired[c];
            String concept = "concept " + c;
            if (fired < 0 || fired > s.rows) {
                throw malformed.apply(concept + " fired on " + fired + " rows, not in 0.." + s.rows);
            }
            if (s.top.sizes[c] != Math.min(fired, s.top.capacity)
                    || s.samples.sizes[c] != Math.min(fired, s.samples.capacity)) {
                throw malformed.apply(concept + " fired on " + fired + " rows but keeps " + s.top.sizes[c]
                        + " top values and " + s.samples.sizes[c] + " samples");
            }
            long counted = 0;
            for (int k = 2 * c * slots; k < 2 * (c + 1) * slots; k++) {
                if (s.histogram[k] < 0 || s.histogram[k] > fired - counted) {
                    throw malformed.apply(concept + " fired on " + fired + " rows but its histogram counts more,"
                            + " or a negative count (" + s.histogram[k] + ")");
                }
                counted += s.histogram[k];
            }
            if (counted != fired) {
                throw malformed.apply(concept + " fired on " + fired + " rows but its histogram counts " + counted);
            }
            boolean extremes = fired == 0
                    ? s.max[c] == Float.NEGATIVE_INFINITY && s.min[c] == Float.POSITIVE_INFINITY
                    : Float.isFinite(s.max[c]) && Float.isFinite(s.min[c]) && s.min[c] <= s.max[c];
            if (!extremes) {
                throw malformed.apply(
                        concept + " fired on " + fired + " rows but its extremes are " + s.min[c] + " and " + s.max[c]);
            }
            entries(s.top, c, concept + "'s top values", malformed);
            entries(s.samples, c, concept + "'s samples", malformed);
            if (s.labels != null) {
                labels(s.labels, c, fired, concept, malformed);
            }
        }
        if (s.cofiring != null) {
            int[] counts = s.cofiring.counts();
            for (int k = 0; k < counts.length; k++) {
                if (counts[k] < 0) {
                    throw malformed.apply("co-firing count " + k + " is negative, " + counts[k]);
                }
            }
        }
    }

    private static void entries(BoundedHeaps h, int c, String what, Function<String, MalformedFileException> malformed)
            throws MalformedFileException {
        for (int k = c * h.capacity; k < c * h.capacity + h.sizes[c]; k++) {
            if (h.rows[k] < 0 || !Float.isFinite(h.values[k]) || h.values[k] == 0) {
                throw malformed.apply(what + " hold row " + h.rows[k] + " with value " + h.values[k]
                        + "; rows are >= 0 and values finite and non-zero");
            }
        }
    }

    private static void labels(
            LabelSummaries l, int c, long fired, String concept, Function<String, MalformedFileException> malformed)
            throws MalformedFileException {
        if (l.errors[c] < 0) {
            throw malformed.apply(concept + " has a negative label error, " + l.errors[c]);
        }
        long counted = 0;
        int base = c * l.slots;
        for (int k = base; k < base + l.sizes[c]; k++) {
            if (l.counts[k] <= 0 || (k > base && l.labels[k] <= l.labels[k - 1])) {
                throw malformed.apply(concept + "'s label counters are not positive counts in ascending label order"
                        + " (label " + l.labels[k] + ", count " + l.counts[k] + ")");
            }
            if (l.counts[k] > fired - counted) {
                throw malformed.apply(concept + " fired on " + fired + " rows but its labels count more");
            }
            counted += l.counts[k];
        }
    }
}
