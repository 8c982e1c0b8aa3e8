package dev.saekit.concepts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Per concept, a Misra-Gries summary of the labels of the rows it fires on: at most {@code slots}
 * counters (label, count, activation sum), kept sorted by label, and the most any label's count may
 * be short by ({@code errors}). A block of rows is first summed exactly per (concept, label), then
 * merged in with the merge of mergeable summaries (Agarwal et al., 2012): counters add label by
 * label; if more than {@code slots} remain, the {@code (slots+1)}-th largest count is subtracted from
 * all of them, those left at zero or below are dropped, each kept sum is scaled by its new count over
 * its old one (the mean stays), and the subtracted amount is added to the concept's error. So a
 * concept that fires on at most {@code slots} distinct labels is counted exactly, and otherwise
 * {@code count <= true count <= count + error}. The merge is symmetric in its two summaries, bit for
 * bit: merging A into B gives what merging B into A gives.
 *
 * <p>Concept {@code c}'s counters are {@code [c * slots, c * slots + sizes[c])} of the arrays.
 */
final class LabelSummaries {
    final int slots;
    final int[] labels;
    final long[] counts;
    final double[] sums;
    final int[] sizes;
    final long[] errors;

    /** The current block's entries by concept: counted first, then filled as (label, float bits) keys. */
    private final int[] blockStart;

    private final int[] blockFill;
    private long[] blockKeys = new long[0];
    /** A block's or another summary's counters for one concept, and the merged result. */
    private int[] inLabels = new int[0];

    private long[] inCounts = new long[0];
    private double[] inSums = new double[0];
    private int[] outLabels = new int[0];
    private long[] outCounts = new long[0];
    private double[] outSums = new double[0];
    private long[] sortedCounts = new long[0];

    LabelSummaries(int concepts, int slots) {
        int cells = Math.multiplyExact(concepts, slots); // checked against the array limit by Settings
        this.slots = slots;
        this.labels = new int[cells];
        this.counts = new long[cells];
        this.sums = new double[cells];
        this.sizes = new int[concepts];
        this.errors = new long[concepts];
        this.blockStart = new int[concepts + 1];
        this.blockFill = new int[concepts];
    }

    /** Concept {@code c}'s counters, largest count first (ties: lower label first), with their mean values. */
    List<LabelCount> list(int c) {
        List<LabelCount> list = new ArrayList<>(sizes[c]);
        for (int k = c * slots; k < c * slots + sizes[c]; k++) {
            list.add(new LabelCount(labels[k], counts[k], sums[k] / counts[k]));
        }
        list.sort(Comparator.comparingLong(LabelCount::count).reversed().thenComparingInt(LabelCount::label));
        return list;
    }

    /** Starts a block: {@link #count} each entry, then {@link #startFilling}, {@link #put} each, {@link #endBlock}. */
    void startBlock() {
        Arrays.fill(blockStart, 0);
    }

    void count(int concept) {
        blockStart[concept + 1]++;
    }

    void startFilling() {
        for (int c = 0; c < blockFill.length; c++) {
            blockStart[c + 1] += blockStart[c];
            blockFill[c] = blockStart[c];
        }
        int total = blockStart[blockFill.length];
        if (blockKeys.length < total) {
            blockKeys = new long[total];
        }
    }

    /** Files one entry of the block: concept {@code concept} fired with {@code value} on a row labelled {@code label}. */
    void put(int concept, int label, float value) {
        blockKeys[blockFill[concept]++] = ((long) label << 32) | (Float.floatToRawIntBits(value) & 0xFFFFFFFFL);
    }

    /** Sums the block per (concept, label) and merges each concept's sums into its summary. */
    void endBlock() {
        for (int c = 0; c < blockFill.length; c++) {
            int from = blockStart[c];
            int to = blockStart[c + 1];
            if (from == to) {
                continue;
            }
            Arrays.sort(blockKeys, from, to); // by label, then by the value's bits: a fixed order of summation
            ensureIn(to - from);
            int n = 0;
            for (int i = from; i < to; i++) {
                int label = (int) (blockKeys[i] >> 32);
                float value = Float.intBitsToFloat((int) blockKeys[i]);
                if (n == 0 || inLabels[n - 1] != label) {
                    inLabels[n] = label;
                    inCounts[n] = 0;
                    inSums[n] = 0;
                    n++;
                }
                inCounts[n - 1]++;
                inSums[n - 1] += value;
            }
            merge(c, inLabels, inCounts, inSums, 0, n, 0);
        }
    }

    /** Replaces every concept's counters and error with those of {@code other} (same concepts and slots). */
    void copyFrom(LabelSummaries other) {
        System.arraycopy(other.labels, 0, labels, 0, labels.length);
        System.arraycopy(other.counts, 0, counts, 0, counts.length);
        System.arraycopy(other.sums, 0, sums, 0, sums.length);
        System.arraycopy(other.sizes, 0, sizes, 0, sizes.length);
        System.arraycopy(other.errors, 0, errors, 0, errors.length);
    }

    /** Forgets every counter and error, keeping the arrays. */
    void clear() {
        Arrays.fill(sizes, 0);
        Arrays.fill(errors, 0);
    }

    /** Merges every concept's summary of {@code other} (same concepts and slots) into this one. */
    void mergeFrom(LabelSummaries other) {
        for (int c = 0; c < sizes.length; c++) {
            merge(c, other.labels, other.counts, other.sums, c * slots, other.sizes[c], other.errors[c]);
        }
    }

    /** Merges counters {@code [from, from + n)} of the given arrays (sorted by label) and their error into concept {@code c}. */
    private void merge(int c, int[] bLabels, long[] bCounts, double[] bSums, int from, int n, long bError) {
        int base = c * slots;
        int size = sizes[c];
        ensureOut(size + n);
        int i = 0;
        int j = 0;
        int m = 0;
        while (i < size || j < n) {
            int a = base + i;
            int b = from + j;
            if (j == n || (i < size && labels[a] < bLabels[b])) {
                set(m++, labels[a], counts[a], sums[a]);
                i++;
            } else if (i == size || bLabels[b] < labels[a]) {
                set(m++, bLabels[b], bCounts[b], bSums[b]);
                j++;
            } else {
                set(m++, labels[a], counts[a] + bCounts[b], sums[a] + bSums[b]);
                i++;
                j++;
            }
        }
        long error = errors[c] + bError;
        if (m > slots) {
            long cut = countRankedFromTop(m, slots + 1);
            error += cut;
            int kept = 0;
            for (int k = 0; k < m; k++) {
                long count = outCounts[k] - cut;
                if (count > 0) {
                    set(kept++, outLabels[k], count, outSums[k] * ((double) count / outCounts[k]));
                }
            }
            m = kept;
        }
        System.arraycopy(outLabels, 0, labels, base, m);
        System.arraycopy(outCounts, 0, counts, base, m);
        System.arraycopy(outSums, 0, sums, base, m);
        sizes[c] = m;
        errors[c] = error;
    }

    /** The {@code rank}-th largest of the first {@code m} merged counts (rank 1 is the largest). */
    private long countRankedFromTop(int m, int rank) {
        if (sortedCounts.length < m) {
            sortedCounts = new long[m];
        }
        long[] a = sortedCounts;
        System.arraycopy(outCounts, 0, a, 0, m);
        int k = m - rank; // its place in ascending order
        int lo = 0;
        int hi = m - 1;
        while (lo < hi) { // quickselect: partition around the middle element, keep the side holding k
            long pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private void set(int k, int label, long count, double sum) {
        outLabels[k] = label;
        outCounts[k] = count;
        outSums[k] = sum;
    }

    private void ensureIn(int n) {
        if (inLabels.length < n) {
            inLabels = new int[n];
            inCounts = new long[n];
            inSums = new double[n];
        }
    }

    private void ensureOut(int n) {
        if (outLabels.length < n) {
            outLabels = new int[n];
            outCounts = new long[n];
            outSums = new double[n];
        }
    }
}
