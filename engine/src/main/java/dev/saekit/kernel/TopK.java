package dev.saekit.kernel;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Top-k selection, our own (ND4J's {@code top_k} is wrong in this release), parallel over rows.
 *
 * <p>Ties: when several entries equal the k-th largest value, the ones with the lowest column index
 * are kept, so exactly k entries survive per row, deterministically. In the per-row selection a NaN
 * or minus infinity is never kept (a row keeps fewer than k entries only if it has fewer others).
 */
public final class TopK {
    private static final Scratch.Doubles SCRATCH = new Scratch.Doubles();
    /** The sparse codes behind the dense-output {@link #perRow(INDArray, int, INDArray)}, kept per calling thread. */
    private static final ThreadLocal<SparseCodes> DENSE_API = ThreadLocal.withInitial(SparseCodes::new);

    private static final Scratch.Doubles ROW = new Scratch.Doubles();
    private static final Scratch.Floats FLOAT_ROW = new Scratch.Floats();
    private static final Scratch.Floats AMONG = new Scratch.Floats();
    /** Radix selection: key bits counted per pass, and the most values gathered for the final selection. */
    private static final int RADIX_BITS = 16;

    private static final int RADIX_MASK = (1 << RADIX_BITS) - 1;
    private static final int GATHER_LIMIT = 1 << 20;

    private TopK() {}

    /**
     * For each row of {@code values [rows, cols]}, copies its {@code k} largest entries into the same
     * positions of {@code out} and sets every other entry of {@code out} to zero. {@code out} may be
     * {@code values} itself.
     */
    public static INDArray perRow(INDArray values, int k, INDArray out) {
        if (!Arrays.equals(values.shape(), out.shape())) {
            throw new IllegalArgumentException("top-k output must have the input's shape "
                    + Arrays.toString(values.shape()) + ", was " + Arrays.toString(out.shape()));
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
        if (k <= c / 8) { // one pass per row: gathering above a guess (float32), or a heap of the k best
            if (in instanceof Rows.F32 f) { // on the stored floats, guided by the task's previous row
                float[] guesses = new float[(in.rows + SparseCodes.CHUNK - 1) / SparseCodes.CHUNK];
                Arrays.fill(guesses, Float.NaN);
                out.fill(in.rows, c, (r, sink) -> {
                    float[] row = FLOAT_ROW.get(c);
                    f.getFloatRow(r, row);
                    int task = r / SparseCodes.CHUNK; // rows of one task run in order on one thread
                    guesses[task] = selectAboveGuess(row, c, k, relu, guesses[task], null, false, sink);
                });
                return out;
            }
            out.fill(in.rows, c, (r, sink) -> {
                double[] row = ROW.get(c);
                in.getRow(r, row);
                selectByHeap(row, c, k, relu, sink);
            });
            return out;
        }
        double floor = relu ? 0.0 : Double.NEGATIVE_INFINITY; // what a kept entry must be above
        out.fill(
                in.rows,
                c,
                (r, sink) -> keepLargestAbove(readRow(in, r, false), c, k, floor, null, false, SCRATCH.get(c), sink));
        return out;
    }

    /**
     * For each row of {@code values [rows, cols]}, its {@code k} largest entries among the columns
     * {@code columns[0..n)} (distinct, ascending; of {@code max(values, 0)} when {@code relu}) as sparse codes
     * in {@code out}, which is rebuilt and returned. Only those columns are read. Without the ReLU the
     * kept entries may be negative or zero and are all stored (a caller differentiating through them
     * needs every kept position); with it, zeros are left out. Ties keep the lowest columns, a NaN is
     * never kept, and without the ReLU a row keeps fewer than {@code k} entries only if fewer than
     * {@code k} of its values at those columns are above minus infinity.
     */
    public static SparseCodes perRowAmong(INDArray values, int[] columns, int n, int k, boolean relu, SparseCodes out) {
        Rows in = Rows.of(values, "top-k input");
        if (n < 0 || n > columns.length) {
            throw new IllegalArgumentException("n must be in 0.." + columns.length + ", was " + n);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1.." + n + " (the columns to choose from), was " + k);
        }
        for (int i = 0; i < n; i++) {
            if (columns[i] < 0 || columns[i] >= in.cols || (i > 0 && columns[i] <= columns[i - 1])) {
                throw new IllegalArgumentException("columns must be distinct, ascending and in 0.." + (in.cols - 1)
                        + "; entry " + i + " is " + columns[i]);
            }
        }
        int c = in.cols;
        if (k <= n / 4 && in instanceof Rows.F32 f) { // on the stored floats, as perRow selects (2k <= n / 2)
            float[] guesses = new float[(in.rows + SparseCodes.CHUNK - 1) / SparseCodes.CHUNK];
            Arrays.fill(guesses, Float.NaN);
            out.fill(in.rows, c, (r, sink) -> {
                float[] row = FLOAT_ROW.get(c);
                f.getFloatRow(r, row);
                float[] among = AMONG.get(n);
                for (int i = 0; i < n; i++) {
                    among[i] = row[columns[i]];
                }
                int task = r / SparseCodes.CHUNK; // rows of one task run in order on one thread
                guesses[task] = selectAboveGuess(among, n, k, relu, guesses[task], columns, !relu, sink);
            });
            return out;
        }
        double floor = relu ? 0.0 : Double.NEGATIVE_INFINITY; // what a kept entry must be above
        out.fill(in.rows, c, (r, sink) -> {
            double[] row = ROW.get(n);
            long base = (long) r * c;
            for (int i = 0; i < n; i++) {
                row[i] = in.get(base + columns[i]);
            }
            keepLargestAbove(row, n, k, floor, columns, true, SCRATCH.get(n), sink);
        });
        return out;
    }

    /**
     * The {@code k} largest of {@code row[0..n)} above {@code floor} (a NaN never is) into
     * {@code sink}, at columns {@code columns[i]} ({@code i} when null), in column order, zeros left
     * out unless {@code keepZeros}: the k-th largest by quickselect on a copy in {@code candidates},
     * then one pass in column order (ties at the k-th value: the lowest columns), no heap, no sort.
     */
    private static void keepLargestAbove(
            double[] row,
            int n,
            int k,
            double floor,
            int[] columns,
            boolean keepZeros,
            double[] candidates,
            SparseCodes.Entries sink) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (row[i] > floor) {
                candidates[m++] = row[i];
            }
        }
        double kth = m > k ? Select.kthLargest(candidates, 0, m, k) : floor;
        int tiesToKeep = k;
        if (m > k) {
            for (int i = 0; i < n; i++) {
                if (row[i] > kth) {
                    tiesToKeep--;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            double v = row[i];
            if ((v > kth || (v == kth && m > k && tiesToKeep-- > 0)) && (keepZeros || v != 0)) {
                sink.add(columns == null ? i : columns[i], v);
            }
        }
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
        return selectInBucket(
                in, relu, b.prefix, b.fixedBits, (int) b.size, (int) b.rank, b.counts, b.bucket, b.rowsPerSlice);
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
            double t = b.fixedBits == 64
                    ? fromKey(b.prefix)
                    : selectInBucket(
                            in,
                            relu,
                            b.prefix,
                            b.fixedBits,
                            (int) b.size,
                            (int) b.rank,
                            b.counts,
                            b.bucket,
                            b.rowsPerSlice);
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
    private record Bucket(
            long prefix, int fixedBits, long rank, long size, int[][] counts, int bucket, int rowsPerSlice) {}

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

    private static double selectInBucket(
            Rows in,
            boolean relu,
            long prefix,
            int fixedBits,
            int size,
            int rank,
            int[][] counts,
            int bucket,
            int rowsPerSlice) {
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
    static long key(double v) {
        long bits = Double.doubleToRawLongBits(v);
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    static double fromKey(long key) {
        return Double.longBitsToDouble(key < 0 ? key ^ Long.MIN_VALUE : ~key);
    }

    /**
     * The k largest of {@code row[0..n)} (of their ReLU when {@code relu}) into {@code sink}, columns
     * ascending, zeros left out. A min-heap holds the k best (value, column) pairs, ordered so that
     * among equal values the highest column is dropped first; it starts from placeholders (zero with
     * the ReLU, else minus infinity, never emitted) and, scanning columns in ascending order, an
     * entry enters only if it beats the heap's minimum, so one comparison settles most entries, ties
     * keep the lowest columns and a NaN is never kept.
     */
    private static void selectByHeap(double[] row, int n, int k, boolean relu, SparseCodes.Entries sink) {
        HeapScratch h = HEAP.get().ensure(k, 0);
        double[] hv = h.value;
        int[] hi = h.index;
        fillPlaceholders(hv, hi, k, relu);
        double min = hv[0];
        for (int j = 0; j < n; j++) {
            double v = row[j];
            if (v > min) { // above the minimum, so above zero too with the ReLU
                min = replaceMinimum(hv, hi, k, v, j);
            }
        }
        emitByColumn(hv, hi, k, false, sink);
    }

    /**
     * The k largest of a float32 row (of its ReLU when {@code relu}) into {@code sink}, exactly as
     * {@link #selectByHeap(double[], int, int, boolean, SparseCodes.Entries)} selects them, with
     * little work beyond one comparison per entry. The entries above a guess are gathered in column
     * order; the k-th largest among them is found by quickselect, and one pass over them in column
     * order emits the kept ones (ties at the k-th value: the lowest columns), so neither a heap nor a
     * sort runs. The guess is {@code guess}, the 2k-th largest value of the previous row of the same
     * task (NaN: none). When fewer than k entries lie above it, or more than the scratch holds, a
     * guess from a strided sample of this row is tried ({@link #sampledGuess}), and the next row
     * starts from its own sample; when that fails too, the row is scanned with a heap of 2k. A guess
     * only decides the work, never the result: when k entries lie above it, they include the row's
     * top k. Returns the guess for the next row (NaN: sample it).
     */
    private static float selectAboveGuess(
            float[] row,
            int n,
            int k,
            boolean relu,
            float guess,
            int[] columns,
            boolean keepZeros,
            SparseCodes.Entries sink) {
        int twoK = 2 * k; // k <= n / 4 here
        HeapScratch h = HEAP.get().ensure(twoK, CANDIDATES_PER_K * k);
        boolean previousFailed = false;
        int count = Float.isNaN(guess) ? -1 : gatherAbove(row, n, guess, h);
        if (count < k) {
            previousFailed = !Float.isNaN(guess);
            guess = sampledGuess(row, n, k, relu, h);
            count = gatherAbove(row, n, guess, h);
        }
        if (count >= k) {
            float next = keepLargestCandidates(h, count, k, guess, columns, keepZeros, sink);
            // after a previous row's guess failed, the next row starts from its own sample: on rows
            // whose scales jump, at most every other row pays for a failed gathering pass
            return previousFailed ? Float.NaN : next;
        }
        float min = heapScan(row, columns, n, twoK, relu, h);
        keepBest(h, twoK, k, keepZeros, sink);
        return min;
    }

    /**
     * The entries of {@code row[0..n)} above {@code guess} (at least zero with the ReLU, so they are
     * positive) into {@code h}'s candidates, columns ascending; returns their count, or -1 when there
     * are more than the candidates hold.
     */
    private static int gatherAbove(float[] row, int n, float guess, HeapScratch h) {
        float[] cv = h.candidateValue;
        int[] ci = h.candidateIndex;
        int limit = cv.length;
        int count = 0;
        for (int j = 0; j < n; j++) {
            float v = row[j];
            if (v > guess) { // rarely true: one predictable branch per entry
                if (count == limit) {
                    return -1; // far too low a guess
                }
                cv[count] = v;
                ci[count] = j;
                count++;
            }
        }
        return count;
    }

    /**
     * A guess above which about 4k entries of the row lie: every {@code max(1, k/4)}-th entry is
     * sampled and the {@value #SAMPLE_RANK}th largest sample taken (at least zero with the ReLU;
     * minus infinity when fewer entries are sampled), kept in a small min-heap so that most samples
     * cost one comparison. Fewer than k entries lie above it about three standard deviations below
     * the expected count, and more than the candidates hold (32k) essentially never.
     */
    private static float sampledGuess(float[] row, int n, int k, boolean relu, HeapScratch h) {
        int stride = Math.max(1, k / 4);
        float[] heap = h.sampleHeap; // a min-heap of the largest samples so far
        Arrays.fill(heap, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j += stride) {
            float v = row[j];
            if (v > heap[0]) { // a NaN never is, so never a guess
                int i = 0;
                while (true) { // sift v down from the root
                    int child = 2 * i + 1;
                    if (child >= SAMPLE_RANK) {
                        break;
                    }
                    if (child + 1 < SAMPLE_RANK && heap[child + 1] < heap[child]) {
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
        }
        return relu ? Math.max(heap[0], 0f) : heap[0];
    }

    /** The rank, among the sampled entries, of {@link #sampledGuess}'s value. */
    private static final int SAMPLE_RANK = 16;

    /**
     * Emits the k largest of the {@code count >= k} candidates gathered above {@code guess}, columns
     * ascending, zeros left out; returns the 2k-th largest candidate, or {@code guess} when there are
     * fewer than 2k (the next row's guess).
     */
    private static float keepLargestCandidates(
            HeapScratch h, int count, int k, float guess, int[] columns, boolean keepZeros, SparseCodes.Entries sink) {
        float[] cv = h.candidateValue;
        int[] ci = h.candidateIndex;
        double[] work = h.sample(count);
        for (int i = 0; i < count; i++) {
            work[i] = cv[i];
        }
        int twoK = 2 * k;
        float next = guess;
        int within = count;
        if (count >= twoK) { // quickselect leaves the 2k largest in work[0..2k)
            next = (float) Select.kthLargest(work, 0, count, twoK);
            within = twoK;
        }
        float kth = (float) Select.kthLargest(work, 0, within, k);
        int ties = k; // the entries equal to kth that are kept: k minus those above it
        for (int i = 0; i < count; i++) {
            if (cv[i] > kth) {
                ties--;
            }
        }
        for (int i = 0; i < count; i++) {
            float v = cv[i];
            if ((v > kth || (v == kth && ties-- > 0)) && (keepZeros || v != 0)) {
                sink.add(columns == null ? ci[i] : columns[ci[i]], v);
            }
        }
        return next;
    }

    /** Entries the gathering pass of {@link #selectAboveGuess} holds, per unit of k. */
    private static final int CANDIDATES_PER_K = 32;

    /**
     * The m best (value, column) pairs of {@code values[0..count)} (columns {@code columns[i]}, or
     * {@code i} when null, ascending) into {@code h}'s heap; returns the heap's minimum as a float.
     */
    private static float heapScan(float[] values, int[] columns, int count, int m, boolean relu, HeapScratch h) {
        double[] hv = h.value;
        int[] hi = h.index;
        fillPlaceholders(hv, hi, m, relu);
        float min = (float) hv[0];
        for (int i = 0; i < count; i++) {
            float v = values[i];
            if (v > min) { // heap values are floats widened, so comparing as floats is exact
                min = (float) replaceMinimum(hv, hi, m, v, columns == null ? i : columns[i]);
            }
        }
        return min;
    }

    /** Drops the worst {@code m - k} pairs of a heap of {@code m} and emits the k left. */
    private static void keepBest(HeapScratch h, int m, int k, boolean keepZeros, SparseCodes.Entries sink) {
        double[] hv = h.value;
        int[] hi = h.index;
        for (int size = m; size > k; size--) {
            hv[0] = hv[size - 1];
            hi[0] = hi[size - 1];
            siftDown(hv, hi, 0, size - 1);
        }
        emitByColumn(hv, hi, k, keepZeros, sink);
    }

    /** A heap of k placeholders: zero (with the ReLU) or minus infinity, at a column no entry has. */
    private static void fillPlaceholders(double[] hv, int[] hi, int k, boolean relu) {
        Arrays.fill(hv, 0, k, relu ? 0.0 : Double.NEGATIVE_INFINITY);
        Arrays.fill(hi, 0, k, PLACEHOLDER);
    }

    private static final int PLACEHOLDER = Integer.MAX_VALUE;

    /** Puts (v, column) in place of the heap's minimum; returns the new minimum. */
    private static double replaceMinimum(double[] hv, int[] hi, int k, double v, int column) {
        hv[0] = v;
        hi[0] = column;
        siftDown(hv, hi, 0, k);
        return hv[0];
    }

    /**
     * The heap's k pairs into {@code sink}, columns ascending (insertion sort by column), placeholders
     * left out, and zeros too unless {@code keepZeros}.
     */
    private static void emitByColumn(double[] hv, int[] hi, int k, boolean keepZeros, SparseCodes.Entries sink) {
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
            if ((keepZeros || hv[a] != 0) && hi[a] != PLACEHOLDER) {
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

    /** Per-thread heap arrays, and the candidates of {@link #selectAboveGuess}. */
    private static final class HeapScratch {
        double[] value = new double[0];
        int[] index = new int[0];
        float[] candidateValue = new float[0];
        int[] candidateIndex = new int[0];
        double[] sample = new double[0];
        final float[] sampleHeap = new float[SAMPLE_RANK];

        /** A scratch of at least {@code n} doubles (for quickselect, which reorders it). */
        double[] sample(int n) {
            if (sample.length < n) {
                sample = new double[n];
            }
            return sample;
        }

        HeapScratch ensure(int heap, int candidates) {
            if (value.length < heap) {
                value = new double[heap];
                index = new int[heap];
            }
            if (candidateValue.length < candidates) {
                candidateValue = new float[candidates];
                candidateIndex = new int[candidates];
            }
            return this;
        }
    }

    private static final ThreadLocal<HeapScratch> HEAP = ThreadLocal.withInitial(HeapScratch::new);

    /** Row {@code r} of {@code in} (its ReLU when {@code relu}) in this thread's row array. */
    static double[] readRow(Rows in, int r, boolean relu) {
        double[] row = ROW.get(in.cols);
        in.getRow(r, row);
        if (relu) {
            for (int j = 0; j < in.cols; j++) {
                row[j] = Math.max(row[j], 0.0);
            }
        }
        return row;
    }
}
