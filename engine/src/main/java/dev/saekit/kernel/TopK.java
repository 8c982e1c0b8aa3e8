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
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);
    /** The sparse codes behind the dense-output {@link #perRow(INDArray, int, INDArray)}, kept per calling thread. */
    private static final ThreadLocal<SparseCodes> DENSE_API = ThreadLocal.withInitial(SparseCodes::new);
    private static final ThreadLocal<double[]> ROW = ThreadLocal.withInitial(() -> new double[0]);
    private static final ThreadLocal<float[]> FLOAT_ROW = ThreadLocal.withInitial(() -> new float[0]);
    /** Radix selection: key bits counted per pass, and the most values gathered for the final selection. */
    private static final int RADIX_BITS = 16;
    private static final int RADIX_MASK = (1 << RADIX_BITS) - 1;
    private static final int GATHER_LIMIT = 1 << 20;

    private TopK() {
    }

    /**
     * For each row of {@code values [rows, cols]}, copies its {@code k} largest entries into the same
     * positions of {@code out} and sets every other entry of {@code out} to zero. {@code out} may be
     * {@code values} itself.
     */
    public static INDArray perRow(INDArray values, int k, INDArray out) {
        if (!Arrays.equals(values.shape(), out.shape())) {
            throw new IllegalArgumentException("top-k output must have the input's shape " + Arrays.toString(values.shape())
                    + ", was " + Arrays.toString(out.shape()));
        }
        return perRow(values, k, false, DENSE_API.get()).toDense(out);
    }

    /**
     * For each row of {@code values [rows, cols]} (of {@code max(values, 0)} when {@code relu}), its
     * {@code k} largest entries as sparse codes in {@code out}, which is rebuilt and returned. Kept
     * entries that are zero are not stored (they are zero in the dense codes either way). One read
     * of {@code values}: the ReLU, the selection and the sparse codes come from the same pass.
     */
    public static SparseCodes perRow(INDArray values, int k, boolean relu, SparseCodes out) {
        Rows in = Rows.of(values, "top-k input");
        if (k < 1 || k > in.cols) {
            throw new IllegalArgumentException("k must be in 1.." + in.cols + ", was " + k);
        }
        int c = in.cols;
        if (k <= c / 8) { // one pass per row with a heap of the k best (value, column) pairs
            if (in instanceof Rows.F32 f) { // on the stored floats: no widening copy of the row
                out.fill(in.rows, c, (r, sink) -> {
                    float[] row = floatRow(c);
                    f.getFloatRow(r, row);
                    selectByHeap(row, c, k, relu, sink);
                });
                return out;
            }
            out.fill(in.rows, c, (r, sink) -> {
                double[] row = row(c);
                in.getRow(r, row);
                selectByHeap(row, c, k, relu, sink);
            });
            return out;
        }
        out.fill(in.rows, c, (r, sink) -> {
            double[] row = readRow(in, r, relu);
            double[] scratch = scratch(c);
            System.arraycopy(row, 0, scratch, 0, c);
            double kth = Select.kthLargest(scratch, 0, c, k);
            int above = 0;
            for (int j = 0; j < c; j++) {
                if (row[j] > kth) {
                    above++;
                }
            }
            int tiesToKeep = k - above; // ties at the k-th value: the lowest columns are kept
            for (int j = 0; j < c; j++) {
                double v = row[j];
                if (v > kth || (v == kth && tiesToKeep-- > 0)) {
                    if (v != 0) {
                        sink.add(j, v);
                    }
                }
            }
        });
        return out;
    }

    /**
     * The entries of {@code values} (of {@code max(values, 0)} when {@code relu}) that are at least
     * {@code threshold}, as sparse codes in {@code out}, which is rebuilt and returned.
     */
    public static SparseCodes atLeast(INDArray values, double threshold, boolean relu, SparseCodes out) {
        Rows in = Rows.of(values, "threshold input");
        int c = in.cols;
        out.fill(in.rows, c, (r, sink) -> {
            double[] row = readRow(in, r, relu);
            for (int j = 0; j < c; j++) {
                double v = row[j];
                if (v >= threshold && v != 0) {
                    sink.add(j, v);
                }
            }
        });
        return out;
    }

    /**
     * The {@code k}-th largest entry (1-based) of the whole matrix {@code values}, computed in
     * parallel by a radix selection over the values' ordered bit patterns.
     */
    public static double kthLargest(INDArray values, long k) {
        return kthLargest(values, k, false);
    }

    /**
     * The {@code k}-th largest entry (1-based) of the whole matrix {@code values}, or of
     * {@code max(values, 0)} when {@code relu}.
     *
     * <p>Radix selection: each value maps to a 64-bit key in the same order as the values; counting
     * the keys' top bits finds the bucket holding the k-th largest ({@link #findBucket}); its values
     * are gathered and the k-th is selected among them. Typically two reads of the matrix, no array
     * proportional to it.
     */
    public static double kthLargest(INDArray values, long k, boolean relu) {
        Rows in = Rows.of(values, "top-k input");
        Bucket b = findBucket(in, k, relu);
        if (b.fixedBits == 64) { // every bit fixed: all values in the bucket are equal
            return fromKey(b.prefix);
        }
        return selectInBucket(in, relu, b.prefix, b.fixedBits, (int) b.size, (int) b.rank, b.counts, b.bucket, b.rowsPerSlice);
    }

    /**
     * BatchTopK's selection: the {@code k} largest entries of the whole matrix {@code values} (of
     * {@code max(values, 0)} when {@code relu}), that is every entry at least the k-th largest value
     * {@code t} (ties can keep more), as sparse codes in {@code out}; returns {@code t}.
     *
     * <p>After the radix count has found the bucket of keys holding {@code t}, one more read gathers
     * every non-zero entry of that bucket or above as candidates (about k of them), {@code t} is
     * selected among the bucket's, and the candidates below it are dropped: two reads of the matrix
     * in all where a threshold then a filter would take three.
     */
    public static double keepLargest(INDArray values, long k, boolean relu, SparseCodes out) {
        Rows in = Rows.of(values, "top-k input");
        Bucket b = findBucket(in, k, relu);
        long zeroKey = key(0.0) >>> (64 - b.fixedBits);
        long negativeZeroKey = key(-0.0) >>> (64 - b.fixedBits);
        long want = b.prefix >>> (64 - b.fixedBits);
        if (b.fixedBits == 64 || b.size > GATHER_LIMIT || want == zeroKey || want == negativeZeroKey) {
            // the bucket is one value, too large to gather, or holds zeros (which sparse codes leave out)
            double t = b.fixedBits == 64 ? fromKey(b.prefix)
                    : selectInBucket(in, relu, b.prefix, b.fixedBits, (int) b.size, (int) b.rank, b.counts, b.bucket, b.rowsPerSlice);
            atLeast(values, t, relu, out);
            return t;
        }
        int c = in.cols;
        int shift = 64 - b.fixedBits;
        out.fill(in.rows, c, (r, sink) -> {
            double[] row = readRow(in, r, relu);
            for (int j = 0; j < c; j++) {
                double v = row[j];
                if (Long.compareUnsigned(key(v) >>> shift, want) >= 0 && v != 0) {
                    sink.add(j, v);
                }
            }
        });
        double[] inBucket = new double[(int) b.size];
        double[] candidates = out.values();
        int m = 0;
        for (int e = 0; e < out.nonZeros(); e++) {
            if (key(candidates[e]) >>> shift == want) {
                inBucket[m++] = candidates[e];
            }
        }
        double t = Select.kthLargest(inBucket, 0, m, (int) b.rank);
        out.retainAtLeast(t);
        return t;
    }

    /**
     * Where the k-th largest key lies: its top {@code fixedBits} bits ({@code prefix}), its rank among
     * the {@code size} values sharing them, and the last pass's per-slice counts.
     */
    private record Bucket(long prefix, int fixedBits, long rank, long size, int[][] counts, int bucket, int rowsPerSlice) {
    }

    /**
     * Counts the keys' top 16 bits in one parallel pass, which finds the bucket holding the k-th
     * largest and how many values lie above it; repeats on the next 16 bits within that bucket
     * while it holds more than {@link #GATHER_LIMIT} values.
     */
    private static Bucket findBucket(Rows in, long k, boolean relu) {
        long n = (long) in.rows * in.cols;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1.." + n + ", was " + k);
        }
        int c = in.cols;
        int tasks = Math.max(1, Math.min(in.rows, 2 * Runtime.getRuntime().availableProcessors()));
        int rowsPerSlice = (in.rows + tasks - 1) / tasks;
        long prefix = 0; // the key bits fixed so far, aligned to the top
        int fixedBits = 0;
        long rank = k; // rank of the wanted value among the values matching prefix
        while (true) {
            int shift = 64 - fixedBits - RADIX_BITS;
            long prefixNow = prefix;
            int fixedNow = fixedBits;
            int[][] counts = new int[tasks][];
            IntStream.range(0, tasks).parallel().forEach(t -> {
                int[] count = new int[1 << RADIX_BITS];
                int to = Math.min(in.rows, (t + 1) * rowsPerSlice);
                for (int r = t * rowsPerSlice; r < to; r++) {
                    double[] row = readRow(in, r, relu);
                    for (int j = 0; j < c; j++) {
                        long key = key(row[j]);
                        if (fixedNow == 0 || (key >>> (64 - fixedNow)) == (prefixNow >>> (64 - fixedNow))) {
                            count[(int) ((key >>> shift) & RADIX_MASK)]++;
                        }
                    }
                }
                counts[t] = count;
            });
            long above = 0;
            int bucket = RADIX_MASK;
            long inBucket;
            while (true) {
                inBucket = 0;
                for (int[] count : counts) {
                    inBucket += count[bucket];
                }
                if (above + inBucket >= rank) {
                    break;
                }
                above += inBucket;
                bucket--;
            }
            rank -= above;
            prefix |= (long) bucket << shift;
            fixedBits += RADIX_BITS;
            if (fixedBits == 64 || inBucket <= GATHER_LIMIT) {
                return new Bucket(prefix, fixedBits, rank, inBucket, counts, bucket, rowsPerSlice);
            }
        }
    }

    private static double selectInBucket(Rows in, boolean relu, long prefix, int fixedBits, int size, int rank,
                                         int[][] counts, int bucket, int rowsPerSlice) {
        int c = in.cols;
        int tasks = counts.length;
        double[] gathered = new double[size];
        int[] offset = new int[tasks + 1];
        for (int t = 0; t < tasks; t++) {
            offset[t + 1] = offset[t] + counts[t][bucket];
        }
        long want = prefix >>> (64 - fixedBits);
        IntStream.range(0, tasks).parallel().forEach(t -> {
            if (counts[t][bucket] == 0) {
                return;
            }
            int at = offset[t];
            int to = Math.min(in.rows, (t + 1) * rowsPerSlice);
            for (int r = t * rowsPerSlice; r < to; r++) {
                double[] row = readRow(in, r, relu);
                for (int j = 0; j < c; j++) {
                    double v = row[j];
                    if ((key(v) >>> (64 - fixedBits)) == want) {
                        gathered[at++] = v;
                    }
                }
            }
        });
        return Select.kthLargest(gathered, 0, size, rank);
    }

    /**
     * A key whose unsigned order is the order of the values: negative values have every bit flipped,
     * the others only the sign bit ({@code -0.0} sorts just below {@code 0.0}).
     */
    private static long key(double v) {
        long bits = Double.doubleToRawLongBits(v);
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    private static double fromKey(long key) {
        return Double.longBitsToDouble(key < 0 ? key ^ Long.MIN_VALUE : ~key);
    }

    /**
     * The k largest of {@code row[0..n)} (of their ReLU when {@code relu}) into {@code sink}, columns
     * ascending, zeros left out. A min-heap holds the k best (value, column) pairs, ordered so that
     * among equal values the highest column is dropped first; scanning columns in ascending order,
     * an entry enters only if it beats the heap's minimum, so one comparison settles most entries
     * and ties keep the lowest columns.
     */
    private static void selectByHeap(double[] row, int n, int k, boolean relu, SparseCodes.Entries sink) {
        HeapScratch h = HEAP.get().ensure(k);
        double[] hv = h.value;
        int[] hi = h.index;
        for (int i = 0; i < k; i++) {
            hv[i] = relu ? Math.max(row[i], 0.0) : row[i];
            hi[i] = i;
        }
        heapify(hv, hi, k);
        double min = hv[0];
        for (int j = k; j < n; j++) {
            double v = row[j];
            if (v > min) { // above the minimum, so above zero too when min >= 0 (always with the ReLU)
                min = replaceMinimum(hv, hi, k, relu ? Math.max(v, 0.0) : v, j);
            }
        }
        emitByColumn(hv, hi, k, sink);
    }

    /**
     * {@link #selectByHeap(double[], int, int, boolean, SparseCodes.Entries)} on a float32 row: the
     * scan compares floats (a heap value is a float widened, so its float is exact), the heap is shared.
     */
    private static void selectByHeap(float[] row, int n, int k, boolean relu, SparseCodes.Entries sink) {
        HeapScratch h = HEAP.get().ensure(k);
        double[] hv = h.value;
        int[] hi = h.index;
        for (int i = 0; i < k; i++) {
            hv[i] = relu ? Math.max(row[i], 0f) : row[i];
            hi[i] = i;
        }
        heapify(hv, hi, k);
        float min = (float) hv[0];
        for (int j = k; j < n; j++) {
            float v = row[j];
            if (v > min) {
                min = (float) replaceMinimum(hv, hi, k, relu ? Math.max(v, 0f) : v, j);
            }
        }
        emitByColumn(hv, hi, k, sink);
    }

    private static void heapify(double[] hv, int[] hi, int k) {
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(hv, hi, i, k);
        }
    }

    /** Puts (v, column) in place of the heap's minimum; returns the new minimum. */
    private static double replaceMinimum(double[] hv, int[] hi, int k, double v, int column) {
        hv[0] = v;
        hi[0] = column;
        siftDown(hv, hi, 0, k);
        return hv[0];
    }

    /** The heap's k pairs into {@code sink}, columns ascending (insertion sort by column), zeros left out. */
    private static void emitByColumn(double[] hv, int[] hi, int k, SparseCodes.Entries sink) {
        for (int a = 1; a < k; a++) {
            int col = hi[a];
            double v = hv[a];
            int b = a - 1;
            while (b >= 0 && hi[b] > col) {
                hi[b + 1] = hi[b];
                hv[b + 1] = hv[b];
                b--;
            }
            hi[b + 1] = col;
            hv[b + 1] = v;
        }
        for (int a = 0; a < k; a++) {
            if (hv[a] != 0) {
                sink.add(hi[a], hv[a]);
            }
        }
    }

    /** Sifts entry {@code i} down a min-heap of (value, column) pairs; equal values: the higher column is smaller. */
    private static void siftDown(double[] hv, int[] hi, int i, int size) {
        double v = hv[i];
        int col = hi[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && smaller(hv[child + 1], hi[child + 1], hv[child], hi[child])) {
                child++;
            }
            if (!smaller(hv[child], hi[child], v, col)) {
                break;
            }
            hv[i] = hv[child];
            hi[i] = hi[child];
            i = child;
        }
        hv[i] = v;
        hi[i] = col;
    }

    private static boolean smaller(double va, int ia, double vb, int ib) {
        return va < vb || (va == vb && ia > ib);
    }

    /** Per-thread heap arrays. */
    private static final class HeapScratch {
        double[] value = new double[0];
        int[] index = new int[0];

        HeapScratch ensure(int k) {
            if (value.length < k) {
                value = new double[k];
                index = new int[k];
            }
            return this;
        }
    }

    private static final ThreadLocal<HeapScratch> HEAP = ThreadLocal.withInitial(HeapScratch::new);

    /** Row {@code r} of {@code in} (its ReLU when {@code relu}) in this thread's row array. */
    private static double[] readRow(Rows in, int r, boolean relu) {
        double[] row = row(in.cols);
        in.getRow(r, row);
        if (relu) {
            for (int j = 0; j < in.cols; j++) {
                row[j] = Math.max(row[j], 0.0);
            }
        }
        return row;
    }

    private static double[] row(int size) {
        double[] s = ROW.get();
        if (s.length < size) {
            s = new double[size];
            ROW.set(s);
        }
        return s;
    }

    private static float[] floatRow(int size) {
        float[] s = FLOAT_ROW.get();
        if (s.length < size) {
            s = new float[size];
            FLOAT_ROW.set(s);
        }
        return s;
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
