package dev.saekit.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each concept's highest activations over a stream of code rows, in memory that does not grow
 * with the stream: a fixed-size min-heap of (row, value) per concept, plus how often each concept
 * fired (code > 0) and its largest value. Rows are numbered by the caller ({@code firstRow} of each
 * block), so blocks may come in any order and two accumulators over different rows {@link #merge}
 * into the one a single pass would give: the kept hits are the {@code top} largest values, ties
 * going to the lower row, whatever the order of the blocks.
 */
public final class TopActivations {
    /** One kept activation: the row it is in and its value. */
    public record Hit(long row, double value) {}

    private static final Comparator<Hit> BEST_FIRST =
            Comparator.comparingDouble(Hit::value).reversed().thenComparingLong(Hit::row);

    private final int concepts;
    private final int top;
    private final long[] heapRows;
    private final double[] heapValues;
    private final int[] sizes;
    private final long[] fired;
    private final double[] max;
    private long rows;

    /** Keeps {@code top} hits for each of {@code concepts} concepts. */
    public TopActivations(int concepts, int top) {
        if (concepts <= 0 || top <= 0) {
            throw new IllegalArgumentException("concepts and top must be > 0, were " + concepts + " and " + top);
        }
        long cells = (long) concepts * top;
        if (cells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    concepts + " concepts x top " + top + " hits do not fit in one array: keep fewer hits per concept");
        }
        this.concepts = concepts;
        this.top = top;
        this.heapRows = new long[(int) cells];
        this.heapValues = new double[(int) cells];
        this.sizes = new int[concepts];
        this.fired = new long[concepts];
        this.max = new double[concepts];
    }

    /** Adds the code rows {@code codes} ({@code [rows, concepts]}), the first of which is row {@code firstRow}. */
    public void add(long firstRow, INDArray codes) {
        if (codes.rank() != 2 || codes.columns() != concepts) {
            throw new IllegalArgumentException(
                    "codes must be [rows, " + concepts + "], were " + java.util.Arrays.toString(codes.shape()));
        }
        int n = (int) codes.rows();
        double[] v = codes.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int r = 0; r < n; r++) {
            int base = r * concepts;
            for (int j = 0; j < concepts; j++) {
                double value = v[base + j];
                if (value > 0) {
                    offer(j, firstRow + r, value);
                }
            }
        }
        rows += n;
    }

    private void offer(int concept, long row, double value) {
        fired[concept]++;
        if (fired[concept] == 1 || value > max[concept]) {
            max[concept] = value;
        }
        int base = concept * top;
        int size = sizes[concept];
        if (size < top) {
            heapRows[base + size] = row;
            heapValues[base + size] = value;
            sizes[concept] = size + 1;
            siftUp(base, size);
        } else if (worse(heapValues[base], heapRows[base], value, row)) {
            heapRows[base] = row;
            heapValues[base] = value;
            siftDown(base, top);
        }
    }

    /** Whether (value a, row a) ranks below (value b, row b): a smaller value, or the same value at a later row. */
    private static boolean worse(double va, long ra, double vb, long rb) {
        return va < vb || (va == vb && ra > rb);
    }

    private void siftUp(int base, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!worse(heapValues[base + i], heapRows[base + i], heapValues[base + parent], heapRows[base + parent])) {
                return;
            }
            swap(base + i, base + parent);
            i = parent;
        }
    }

    private void siftDown(int base, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int least = i;
            if (l < size
                    && worse(
                            heapValues[base + l],
                            heapRows[base + l],
                            heapValues[base + least],
                            heapRows[base + least])) {
                least = l;
            }
            if (r < size
                    && worse(
                            heapValues[base + r],
                            heapRows[base + r],
                            heapValues[base + least],
                            heapRows[base + least])) {
                least = r;
            }
            if (least == i) {
                return;
            }
            swap(base + i, base + least);
            i = least;
        }
    }

    private void swap(int a, int b) {
        long row = heapRows[a];
        heapRows[a] = heapRows[b];
        heapRows[b] = row;
        double value = heapValues[a];
        heapValues[a] = heapValues[b];
        heapValues[b] = value;
    }

    /** Adds everything {@code other} (same concepts and top) saw: the result a single pass over both streams gives. */
    public void merge(TopActivations other) {
        if (other.concepts != concepts || other.top != top) {
            throw new IllegalArgumentException("cannot merge " + other.concepts + " concepts x top " + other.top
                    + " into " + concepts + " x " + top);
        }
        for (int j = 0; j < concepts; j++) {
            long firedBefore = fired[j];
            double maxBefore = max[j];
            for (Hit h : other.top(j)) {
                offer(j, h.row(), h.value());
            }
            fired[j] = firedBefore + other.fired[j];
            max[j] = firedBefore == 0
                    ? other.max[j]
                    : other.fired[j] == 0 ? maxBefore : Math.max(maxBefore, other.max[j]);
        }
        rows += other.rows;
    }

    /** Concept {@code concept}'s kept hits, largest value first (ties: lower row first). */
    public List<Hit> top(int concept) {
        int base = concept * top;
        List<Hit> hits = new ArrayList<>(sizes[concept]);
        for (int i = 0; i < sizes[concept]; i++) {
            hits.add(new Hit(heapRows[base + i], heapValues[base + i]));
        }
        hits.sort(BEST_FIRST);
        return hits;
    }

    /** How many rows concept {@code concept} fired on (code > 0). */
    public long fired(int concept) {
        return fired[concept];
    }

    /** Concept {@code concept}'s largest value; 0 if it never fired. */
    public double max(int concept) {
        return max[concept];
    }

    /** The fraction of rows concept {@code concept} fired on; NaN before any row. */
    public double density(int concept) {
        return rows == 0 ? Double.NaN : fired[concept] / (double) rows;
    }

    /** The rows seen so far. */
    public long rows() {
        return rows;
    }

    public int concepts() {
        return concepts;
    }
}
