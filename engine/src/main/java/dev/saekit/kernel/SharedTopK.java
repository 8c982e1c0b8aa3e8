package dev.saekit.kernel;

import dev.saekit.parallel.Collective;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BatchTopK's threshold when the batch is shared among the workers of a data-parallel run: the
 * {@code k}-th largest value of the whole batch, each worker holding a part of its rows. Every
 * worker gets the same value, the one {@link TopK#kthLargest} gives on the whole batch in one
 * process.
 *
 * <p>Radix selection, counted together: each worker counts its values' 64-bit order keys by their
 * top 16 bits, the counts are summed over the workers, and the bucket holding the {@code k}-th
 * largest is found; while it holds more than {@link #GATHER_LIMIT} values the next 16 bits are
 * counted within it. Then the bucket's values are gathered from every worker (each writes its own at
 * its offset, the offsets come from a sum of the workers' counts) and the value is selected among
 * them. Two reads of each worker's part, as in one process, and a few small sums.
 */
public final class SharedTopK {
    private static final int RADIX_BITS = 16;
    private static final int BUCKETS = 1 << RADIX_BITS;
    /** The most values of one bucket that are gathered from the workers instead of counted again. */
    static final int GATHER_LIMIT = 1 << 20;

    private SharedTopK() {}

    /**
     * The {@code k}-th largest value over every worker's {@code values} (of {@code max(values, 0)}
     * when {@code relu}); {@code k} counts over the whole batch. A collective call: every worker of
     * {@code collective} calls it with its part.
     */
    public static double kthLargest(INDArray values, long k, boolean relu, Collective collective) {
        if (collective.isSingle()) {
            return TopK.kthLargest(values, k, relu);
        }
        Rows in = Rows.of(values, "top-k input");
        long total = (long) collective.sum((double) in.rows * in.cols);
        if (k < 1 || k > total) {
            throw new IllegalArgumentException("k must be in 1.." + total + " (the whole batch), was " + k);
        }
        int tasks = Math.max(1, Math.min(in.rows, 2 * Runtime.getRuntime().availableProcessors()));
        int rowsPerSlice = Math.max(1, (in.rows + tasks - 1) / tasks);
        long prefix = 0;
        int fixedBits = 0;
        long rank = k;
        while (true) {
            long[] local = count(in, relu, prefix, fixedBits, tasks, rowsPerSlice);
            double[] counts = new double[BUCKETS];
            for (int b = 0; b < BUCKETS; b++) {
                counts[b] = local[b]; // exact: far below 2^53
            }
            collective.sum(counts);
            int bucket = BUCKETS - 1;
            long above = 0;
            while (above + (long) counts[bucket] < rank) {
                above += (long) counts[bucket];
                bucket--;
            }
            rank -= above;
            int shift = 64 - fixedBits - RADIX_BITS;
            prefix |= (long) bucket << shift;
            fixedBits += RADIX_BITS;
            long inBucket = (long) counts[bucket];
            if (fixedBits == 64) {
                return TopK.fromKey(prefix); // every bit fixed: the bucket is one value
            }
            if (inBucket <= GATHER_LIMIT) {
                return gatherAndSelect(
                        in, relu, prefix, fixedBits, local[bucket], (int) inBucket, (int) rank, collective);
            }
        }
    }

    /** Counts, by the next 16 bits, the keys of this worker's values whose top {@code fixedBits} match {@code prefix}. */
    private static long[] count(Rows in, boolean relu, long prefix, int fixedBits, int tasks, int rowsPerSlice) {
        int shift = 64 - fixedBits - RADIX_BITS;
        int c = in.cols;
        long[][] counts = new long[tasks][];
        IntStream.range(0, tasks).parallel().forEach(t -> {
            long[] count = new long[BUCKETS];
            int to = Math.min(in.rows, (t + 1) * rowsPerSlice);
            for (int r = t * rowsPerSlice; r < to; r++) {
                double[] row = TopK.readRow(in, r, relu);
                for (int j = 0; j < c; j++) {
                    long key = TopK.key(row[j]);
                    if (fixedBits == 0 || (key >>> (64 - fixedBits)) == (prefix >>> (64 - fixedBits))) {
                        count[(int) ((key >>> shift) & (BUCKETS - 1))]++;
                    }
                }
            }
            counts[t] = count;
        });
        long[] sum = new long[BUCKETS];
        for (long[] count : counts) {
            for (int b = 0; b < BUCKETS; b++) {
                sum[b] += count[b];
            }
        }
        return sum;
    }

    /**
     * Gathers the values of the bucket {@code prefix} (top {@code fixedBits} bits) from every worker,
     * this one's {@code mine} of them at its offset, and selects the {@code rank}-th largest.
     */
    private static double gatherAndSelect(
            Rows in, boolean relu, long prefix, int fixedBits, long mine, int size, int rank, Collective collective) {
        double[] perWorker = new double[collective.size()];
        perWorker[collective.rank()] = mine;
        collective.sum(perWorker);
        int offset = 0;
        for (int w = 0; w < collective.rank(); w++) {
            offset += (int) perWorker[w];
        }
        double[] values = new double[size]; // zeros but for this worker's slot: the sum is the concatenation
        int next = offset;
        int shift = 64 - fixedBits;
        for (int r = 0; r < in.rows; r++) {
            double[] row = TopK.readRow(in, r, relu);
            for (int j = 0; j < in.cols; j++) {
                if (TopK.key(row[j]) >>> shift == prefix >>> shift) {
                    values[next++] = row[j];
                }
            }
        }
        collective.sum(values);
        return Select.kthLargest(values, 0, size, rank);
    }
}
