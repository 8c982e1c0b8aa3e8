package dev.saekit.concepts;

import java.util.Arrays;

/**
 * The fixed log-spaced bins of the magnitude histograms: {@code binsPerDecade} bins per decade from
 * {@code 10^minExponent} up to {@code 10^maxExponent}, with one slot below them (underflow) and one
 * at or above them (overflow). Values are floats, so the edges are floats too: edge {@code k} is the
 * float nearest {@code 10^(minExponent + k / binsPerDecade)} (decade edges from the decimal string,
 * so {@code 1e-4f} is exactly the edge of {@code 10^-4}), and a magnitude {@code m} is in bin
 * {@code k} when {@code edge[k] <= m < edge[k + 1]}: a value on an edge goes to the bin above it.
 * The bin is looked up, without a logarithm, from the float's exponent and leading mantissa bits
 * (a table gives the bin of the smallest float with those bits) and then moved up past any edge at
 * or below the value, comparing against the edges themselves: no rounding can misplace a value.
 */
final class LogBins {
    /** The regular bins; a histogram has {@code bins + 2} slots per sign. */
    final int bins;

    /** The leading mantissa bits that, with the exponent, pick a table entry: buckets 2^-7 of a value wide. */
    private static final int SHIFT = 23 - 7;

    private final float[] edges;
    /** The bin of the smallest float of each bucket from the one holding {@code edges[0]} on. */
    private final int[] table;

    private final int firstBucket;

    LogBins(int binsPerDecade, int minExponent, int maxExponent) {
        this.bins = (maxExponent - minExponent) * binsPerDecade;
        this.edges = new float[bins + 1];
        for (int k = 0; k <= bins; k++) {
            int decade = minExponent + Math.floorDiv(k, binsPerDecade);
            int step = Math.floorMod(k, binsPerDecade);
            edges[k] = step == 0
                    ? Float.parseFloat("1e" + decade)
                    : (float) Math.pow(10, decade + step / (double) binsPerDecade);
        }
        this.firstBucket = Float.floatToRawIntBits(edges[0]) >>> SHIFT;
        this.table = new int[(Float.floatToRawIntBits(edges[bins]) >>> SHIFT) - firstBucket + 1];
        int k = 0; // buckets ascend, so their bins do
        for (int t = 0; t < table.length; t++) {
            float lowest = Float.intBitsToFloat((firstBucket + t) << SHIFT);
            while (k < bins - 1 && lowest >= edges[k + 1]) {
                k++;
            }
            table[t] = k;
        }
    }

    /** The edges of the regular bins, widened to double (exactly): {@code bins + 1} of them, ascending. */
    double[] edges() {
        double[] e = new double[edges.length];
        for (int k = 0; k < e.length; k++) {
            e[k] = edges[k];
        }
        return e;
    }

    /** The histogram whose positive slots start at {@code counts[from]}, its negative ones right after them. */
    Histogram histogram(long[] counts, int from) {
        int slots = bins + 2;
        int negative = from + slots;
        return new Histogram(
                edges(),
                counts[from],
                Arrays.copyOfRange(counts, from + 1, from + slots - 1),
                counts[from + slots - 1],
                counts[negative],
                Arrays.copyOfRange(counts, negative + 1, negative + slots - 1),
                counts[negative + slots - 1]);
    }

    /** The slot of magnitude {@code m > 0}: 0 underflow, {@code 1..bins} the regular bins, {@code bins + 1} overflow. */
    int slot(float m) {
        if (m < edges[0]) {
            return 0;
        }
        if (m >= edges[bins]) {
            return bins + 1;
        }
        int k = table[(Float.floatToRawIntBits(m) >>> SHIFT) - firstBucket]; // at or below m's bin
        while (m >= edges[k + 1]) {
            k++;
        }
        return k + 1;
    }
}
