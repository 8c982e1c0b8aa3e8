package dev.saekit.kernel;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Top-k selection, our own (ND4J's {@code top_k} is wrong in this release), parallel over rows.
 *
 * <p>Ties: when several entries equal the k-th largest value, the ones with the lowest column index
 * are kept, so exactly k entries survive per row, deterministically.
 */
public final class TopK {
    /** Rows per parallel task: enough work per task to amortise scheduling. */
    private static final int MIN_CELLS_PER_TASK = 1 << 15;
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);

    private TopK() {
    }

    /**
     * For each row of {@code values [rows, cols]}, copies its {@code k} largest entries into the same
     * positions of {@code out} and sets every other entry of {@code out} to zero. {@code out} may be
     * {@code values} itself.
     */
    public static INDArray perRow(INDArray values, int k, INDArray out) {
        Rows in = Rows.of(values, "top-k input");
        Rows dst = out == values ? in : Rows.of(out, "top-k output");
        if (dst.rows != in.rows || dst.cols != in.cols) {
            throw new IllegalArgumentException("top-k output must have the input's shape " + Arrays.toString(values.shape())
                    + ", was " + Arrays.toString(out.shape()));
        }
        if (k < 1 || k > in.cols) {
            throw new IllegalArgumentException("k must be in 1.." + in.cols + ", was " + k);
        }
        int rowsPerTask = Math.max(1, MIN_CELLS_PER_TASK / in.cols);
        int tasks = (in.rows + rowsPerTask - 1) / rowsPerTask;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int from = t * rowsPerTask;
            int to = Math.min(in.rows, from + rowsPerTask);
            for (int r = from; r < to; r++) {
                selectRow(in, dst, r, k);
            }
        });
        return out;
    }

    private static final ThreadLocal<double[]> ROW = ThreadLocal.withInitial(() -> new double[0]);

    private static void selectRow(Rows in, Rows out, int r, int k) {
        int c = in.cols;
        double[] row = ROW.get();
        if (row.length < c) {
            row = new double[c];
            ROW.set(row);
        }
        in.getRow(r, row);
        double kth;
        if (k <= c / 8) {
            kth = kthLargestByHeap(row, c, k);
        } else {
            double[] scratch = scratch(c);
            System.arraycopy(row, 0, scratch, 0, c);
            kth = Select.kthLargest(scratch, 0, c, k);
        }
        int above = 0;
        for (int j = 0; j < c; j++) {
            if (row[j] > kth) {
                above++;
            }
        }
        int tiesToKeep = k - above;
        for (int j = 0; j < c; j++) {
            double v = row[j];
            if (v > kth) {
                continue;
            }
            if (v == kth && tiesToKeep > 0) {
                tiesToKeep--;
            } else {
                row[j] = 0.0;
            }
        }
        out.putRow(r, row);
    }

    /**
     * The {@code k}-th largest entry (1-based) of the whole matrix {@code values}, computed in
     * parallel: each slice keeps its own k largest candidates, then one selection runs over the
     * candidates.
     */
    public static double kthLargest(INDArray values, long k) {
        Rows in = Rows.of(values, "top-k input");
        long n = (long) in.rows * in.cols;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1.." + n + ", was " + k);
        }
        int kk = Math.toIntExact(k);
        int slices = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors() * 2, (int) (n / Math.max(kk, 1 << 16))));
        long sliceSize = (n + slices - 1) / slices;
        double[][] candidates = new double[slices][];
        IntStream.range(0, slices).parallel().forEach(s -> {
            long from = s * sliceSize;
            long to = Math.min(n, from + sliceSize);
            int len = (int) (to - from);
            double[] a = scratch(len);
            for (int i = 0; i < len; i++) {
                a[i] = in.get(from + i);
            }
            if (len > kk) {
                Select.kthLargest(a, 0, len, kk); // moves the kk largest to the front
                candidates[s] = Arrays.copyOf(a, kk);
            } else {
                candidates[s] = Arrays.copyOf(a, len);
            }
        });
        int total = 0;
        for (double[] c : candidates) {
            total += c.length;
        }
        double[] all = new double[total];
        int at = 0;
        for (double[] c : candidates) {
            System.arraycopy(c, 0, all, at, c.length);
            at += c.length;
        }
        return Select.kthLargest(all, 0, total, kk);
    }

    /**
     * The k-th largest of {@code row[0..n)} with a min-heap of the k largest seen so far: one
     * comparison for most entries when k is small against n.
     */
    static double kthLargestByHeap(double[] row, int n, int k) {
        double[] heap = scratch(k);
        for (int i = 0; i < k; i++) {
            heap[i] = row[i];
        }
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, k);
        }
        for (int i = k; i < n; i++) {
            if (row[i] > heap[0]) {
                heap[0] = row[i];
                siftDown(heap, 0, k);
            }
        }
        return heap[0];
    }

    private static void siftDown(double[] heap, int i, int size) {
        double v = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= v) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = v;
    }

    private static double[] scratch(int size) {
        double[] s = SCRATCH.get();
        if (s.length < size) {
            s = new double[size];
            SCRATCH.set(s);
        }
        return s;
    }
}
