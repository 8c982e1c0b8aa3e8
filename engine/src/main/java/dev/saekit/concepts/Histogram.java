package dev.saekit.concepts;

import java.util.Arrays;

/**
 * How a concept's non-zero values are spread, by magnitude, positives and negatives apart. The
 * regular bins are log-spaced: bin {@code k} holds the values whose magnitude {@code m} satisfies
 * {@code edges[k] <= m < edges[k + 1]} (a value on an edge counts in the bin above it). The edges
 * are floats, widened to double: {@code edges[k]} is the float nearest
 * {@code 10^(minExponent + k / binsPerDecade)}, so {@code (float) edges[k]} prints as that power of
 * ten. Magnitudes below {@code edges[0]} count as underflow, those at or above the last edge as
 * overflow. Every non-zero value is counted exactly once:
 * {@code underflow + sum(counts) + overflow} plus the negatives' three is how often the concept fired.
 *
 * @param edges the {@code counts.length + 1} edges of the regular bins, ascending
 * @param underflow positive values below {@code edges[0]}
 * @param counts positive values per regular bin
 * @param overflow positive values at or above {@code edges[counts.length]}
 * @param negativeUnderflow negative values of magnitude below {@code edges[0]}
 * @param negativeCounts negative values per regular bin of their magnitude
 * @param negativeOverflow negative values of magnitude at or above the last edge
 */
public record Histogram(
        double[] edges,
        long underflow,
        long[] counts,
        long overflow,
        long negativeUnderflow,
        long[] negativeCounts,
        long negativeOverflow) {
    public Histogram {
        if (edges.length != counts.length + 1 || negativeCounts.length != counts.length) {
            throw new IllegalArgumentException("a histogram of " + counts.length + " bins needs "
                    + (counts.length + 1) + " edges and " + counts.length + " negative counts, had "
                    + edges.length + " and " + negativeCounts.length);
        }
        edges = edges.clone();
        counts = counts.clone();
        negativeCounts = negativeCounts.clone();
    }

    /** The values counted, positive and negative, in every bin. */
    public long total() {
        long t = underflow + overflow + negativeUnderflow + negativeOverflow;
        for (int k = 0; k < counts.length; k++) {
            t += counts[k] + negativeCounts[k];
        }
        return t;
    }

    @Override
    public double[] edges() {
        return edges.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public long[] negativeCounts() {
        return negativeCounts.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h
                && Arrays.equals(edges, h.edges)
                && underflow == h.underflow
                && Arrays.equals(counts, h.counts)
                && overflow == h.overflow
                && negativeUnderflow == h.negativeUnderflow
                && Arrays.equals(negativeCounts, h.negativeCounts)
                && negativeOverflow == h.negativeOverflow;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(edges) + Arrays.hashCode(counts))
                + Arrays.hashCode(negativeCounts)
                + Long.hashCode(underflow + 3 * overflow + 5 * negativeUnderflow + 7 * negativeOverflow);
    }

    @Override
    public String toString() {
        return "Histogram[underflow=" + underflow + ", counts=" + Arrays.toString(counts) + ", overflow=" + overflow
                + ", negativeUnderflow=" + negativeUnderflow + ", negativeCounts=" + Arrays.toString(negativeCounts)
                + ", negativeOverflow=" + negativeOverflow + ", edges " + edges[0] + ".." + edges[edges.length - 1]
                + "]";
    }
}
