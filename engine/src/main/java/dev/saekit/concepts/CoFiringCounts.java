package dev.saekit.concepts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How many rows each pair of concepts fired on together: the upper triangle of the symmetric
 * {@code concepts x concepts} count matrix, without its diagonal, row by row in one {@code int[]}
 * (pair {@code i < j} at {@code start(i) + j - i - 1}, {@code start(i) = i (2n - i - 1) / 2}).
 * Counts saturate at {@link Integer#MAX_VALUE} instead of wrapping, in a pass and in a merge alike,
 * so a saturated count means "at least that many".
 *
 * <p>Rows are collected ({@link #fire}, {@link #endRow}) until about {@link #PENDING} of their
 * entries are waiting, and then counted together, concept by concept, so that the counts one
 * concept adds fall in its own stretch of the triangle (a few kilobytes, which stay in cache)
 * rather than all over it: a pass over rows in small blocks is as fast as one over large ones.
 * Everything that reads the counts counts the waiting rows first; counting is exact, so when it
 * happens changes nothing.
 */
final class CoFiringCounts {
    /** Entries of waiting rows that trigger counting them: 2 MB of concept ids, and four scratch arrays as large. */
    static final int PENDING = 1 << 19;

    private final int[] counts;
    /** {@code start(i) - i - 1}: pair {@code (i, j)} is at {@code offset[i] + j}. */
    private final int[] offset;

    /** The waiting rows: row {@code r}'s concepts are {@code firing[rowStart[r]..rowStart[r + 1])}. */
    private int[] firing = new int[1024];

    private int[] rowStart = new int[256];
    private int rows;
    private int entries;

    /** Counting's scratch: where each concept's entries start, their rows, and the entries sorted by row. */
    private final int[] conceptStart;

    private int[] fill = new int[0];
    private int[] rowOf = new int[0];
    private int[] at = new int[0];
    private int[] sorted = new int[0];

    CoFiringCounts(int concepts) {
        this.counts = new int[Math.toIntExact(pairs(concepts))]; // checked against the array limit by Settings
        this.offset = new int[concepts];
        this.conceptStart = new int[concepts + 1];
        for (int i = 0; i < concepts; i++) {
            offset[i] = (int) ((long) i * (2L * concepts - i - 1) / 2 - i - 1);
        }
    }

    /** Concept {@code c} fires in the current row (once per row). */
    void fire(int c) {
        if (entries == firing.length) {
            firing = Arrays.copyOf(firing, 2 * firing.length);
        }
        firing[entries++] = c;
    }

    /** Ends the current row: it waits to be counted if it has a pair, and the waiting rows are counted if they are many. */
    void endRow() {
        int from = rowStart[rows];
        if (entries - from < 2) {
            entries = from; // no pair: nothing to count
            return;
        }
        if (rows + 2 > rowStart.length) {
            rowStart = Arrays.copyOf(rowStart, 2 * rowStart.length);
        }
        rowStart[++rows] = entries;
        if (entries >= PENDING) {
            countWaiting();
        }
    }

    /**
     * The counts, the waiting rows counted: to read, or to fill from a file. Synchronised, so that
     * once rows stop being added several threads may read (a dashboard writes its pages in parallel).
     */
    synchronized int[] counts() {
        countWaiting();
        return counts;
    }

    private void countWaiting() {
        if (rows > 0) {
            addBlock(rows, rowStart, firing);
        }
        rows = 0;
        entries = 0;
    }

    /** The number of pairs {@code i < j} of {@code concepts} concepts. */
    static long pairs(int concepts) {
        return (long) concepts * (concepts - 1) / 2;
    }

    /** {@code a + b} for counts {@code a, b >= 0}, or {@link Integer#MAX_VALUE} if the sum does not fit. */
    static int saturatingAdd(int a, int b) {
        int s = a + b;
        return s < 0 ? Integer.MAX_VALUE : s;
    }

    /** The position of pair {@code i < j}. */
    int index(int i, int j) {
        return offset[i] + j;
    }

    /** The count of pair {@code i != j}, in either order. */
    long count(int i, int j) {
        return counts()[index(Math.min(i, j), Math.max(i, j))];
    }

    /**
     * The (at most) {@code n} concepts that fired with concept {@code c} at least once, by Jaccard
     * index descending, then count descending, then concept; {@code fired} holds every concept's
     * firing count.
     */
    List<CoFiring> partners(int c, int n, long[] fired) {
        List<CoFiring> partners = new ArrayList<>();
        int[] counts = counts();
        for (int j = 0; j < offset.length; j++) {
            long count = j == c ? 0 : counts[index(Math.min(c, j), Math.max(c, j))];
            if (count > 0) {
                partners.add(new CoFiring(j, count, count / (double) (fired[c] + fired[j] - count)));
            }
        }
        partners.sort(Comparator.comparingDouble(CoFiring::jaccard)
                .reversed()
                .thenComparing(Comparator.comparingLong(CoFiring::count).reversed())
                .thenComparingInt(CoFiring::concept));
        return List.copyOf(partners.subList(0, Math.min(n, partners.size())));
    }

    /**
     * Counts each pair of concepts that fire together in a row of a block: row {@code r}'s distinct
     * concepts are {@code firing[start[r]..start[r + 1])}, in any order, {@code start[0] = 0}. The
     * block is worked through concept by concept.
     */
    void addBlock(int rows, int[] start, int[] firing) {
        int n = offset.length;
        int nnz = start[rows];
        if (rowOf.length < nnz) {
            rowOf = new int[nnz];
            at = new int[nnz];
            sorted = new int[nnz];
        }
        if (fill.length < Math.max(n, rows)) {
            fill = new int[Math.max(n, rows)];
        }
        // the block by concept: the rows each concept fires in
        Arrays.fill(conceptStart, 0);
        for (int p = 0; p < nnz; p++) {
            conceptStart[firing[p] + 1]++;
        }
        for (int c = 0; c < n; c++) {
            conceptStart[c + 1] += conceptStart[c];
            fill[c] = conceptStart[c];
        }
        for (int r = 0; r < rows; r++) {
            for (int p = start[r]; p < start[r + 1]; p++) {
                rowOf[fill[firing[p]]++] = r;
            }
        }
        // back by row, each row's concepts now ascending; at[q]: where entry q landed
        System.arraycopy(start, 0, fill, 0, rows);
        int q = 0;
        for (int c = 0; c < n; c++) {
            for (; q < conceptStart[c + 1]; q++) {
                int p = fill[rowOf[q]]++;
                sorted[p] = c;
                at[q] = p;
            }
        }
        // each concept i with the concepts j > i after it in each of its rows
        for (int i = 0; i < n; i++) {
            int base = offset[i];
            for (int e = conceptStart[i]; e < conceptStart[i + 1]; e++) {
                int end = start[rowOf[e] + 1];
                for (int p = at[e] + 1; p < end; p++) {
                    int k = base + sorted[p];
                    int v = counts[k];
                    if (v != Integer.MAX_VALUE) {
                        counts[k] = v + 1;
                    }
                }
            }
        }
    }

    /** Adds the counts of {@code other} (same concepts), saturating. */
    void mergeFrom(CoFiringCounts other) {
        int[] counts = counts();
        int[] theirs = other.counts();
        for (int k = 0; k < counts.length; k++) {
            counts[k] = saturatingAdd(counts[k], theirs[k]);
        }
    }
}
