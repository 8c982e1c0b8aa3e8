package dev.saekit.data;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The global batches of a data-parallel run, in one process: worker {@code w} of {@code W} reads
 * batches of {@link #shares shares[w]} rows from its own part of the data (the global batch split in
 * proportion to the parts' rows, so that every part lasts about as many steps), and the global batch
 * of each step is the workers' batches stacked in worker order. An epoch has as many steps as the
 * part with the fewest batches. Training on this data set in one process is what a data-parallel run over the same
 * parts computes, up to the order of additions: how a distributed run is checked, or replayed on one
 * machine.
 *
 * <p>The data-dependent starting points of a run (a sample for the input scale and the decoder
 * bias, the mean row) come from {@code whole}, the data set the parts were cut from, as they do in
 * the data-parallel run.
 */
public final class DataParallelBatches implements Dataset {
    private final List<Dataset> parts;
    private final Dataset whole;
    private final int batchSize;
    private final int[] shares;

    /** The global batches of {@code batchSize} rows over {@code parts}, one per worker, cut from {@code whole}. */
    public DataParallelBatches(List<? extends Dataset> parts, Dataset whole, int batchSize) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a data-parallel run needs at least one part");
        }
        for (Dataset p : parts) {
            if (p.cols() != whole.cols() || p.dtype() != whole.dtype()) {
                throw new IllegalArgumentException("part " + p.description() + " has " + p.cols() + " " + p.dtype()
                        + " columns, the whole data set " + whole.cols() + " " + whole.dtype());
            }
        }
        this.parts = List.copyOf(parts);
        this.whole = whole;
        this.batchSize = batchSize;
        this.shares = shares(batchSize, parts.stream().mapToLong(Dataset::rows).toArray());
    }

    /**
     * The rows of each global batch of {@code batchSize} rows that each worker reads, for parts of
     * {@code partRows} rows: in proportion to the parts' rows (largest remainders first, ties to the
     * lower worker), at least one row each, so that the parts last about as many steps and an epoch
     * reaches about every row.
     */
    public static int[] shares(int batchSize, long[] partRows) {
        int workers = partRows.length;
        if (workers < 1) {
            throw new IllegalArgumentException("a data-parallel run needs at least one worker");
        }
        if (batchSize < workers) {
            throw new IllegalArgumentException("a batch of " + batchSize + " rows cannot be shared among " + workers
                    + " workers: use a batch of at least one row per worker");
        }
        long total = 0;
        for (long r : partRows) {
            if (r < 1) {
                throw new IllegalArgumentException(
                        "every worker's part needs at least one row, parts: " + java.util.Arrays.toString(partRows));
            }
            total += r;
        }
        int[] shares = new int[workers];
        double[] remainder = new double[workers];
        int given = 0;
        for (int w = 0; w < workers; w++) {
            double exact = (double) (batchSize - workers) * partRows[w] / total; // one row each comes first
            shares[w] = 1 + (int) Math.floor(exact);
            remainder[w] = exact - Math.floor(exact);
            given += shares[w];
        }
        while (given < batchSize) {
            int best = 0;
            for (int w = 1; w < workers; w++) {
                if (remainder[w] > remainder[best]) {
                    best = w;
                }
            }
            shares[best]++;
            remainder[best] = -1;
            given++;
        }
        return shares;
    }

    /** The rows of each global batch that each worker reads ({@link #shares}). */
    public int[] shares() {
        return shares.clone();
    }

    /** The steps of each epoch: the fewest batches any part has. */
    public int stepsPerEpoch() {
        int steps = Integer.MAX_VALUE;
        for (int w = 0; w < parts.size(); w++) {
            steps = Math.min(steps, Math.toIntExact((parts.get(w).rows() + shares[w] - 1) / shares[w]));
        }
        return steps;
    }

    /** The rows the epoch's steps read: every part's first {@code stepsPerEpoch} batches. */
    @Override
    public long rows() {
        long steps = stepsPerEpoch();
        long rows = 0;
        for (int w = 0; w < parts.size(); w++) {
            rows += Math.min(parts.get(w).rows(), steps * shares[w]);
        }
        return rows;
    }

    @Override
    public int cols() {
        return whole.cols();
    }

    @Override
    public DType dtype() {
        return whole.dtype();
    }

    /** The global batches; {@code batchSize} must be the one this data set was made for. */
    @Override
    public Iterable<INDArray> batches(int batchSize, long seed, int epoch) {
        requireBatchSize(batchSize);
        return () -> stacked(w -> parts.get(w).batches(shares[w], seed, epoch));
    }

    @Override
    public Iterable<INDArray> batchesInOrder(int batchSize) {
        requireBatchSize(batchSize);
        return () -> stacked(w -> parts.get(w).batchesInOrder(shares[w]));
    }

    private void requireBatchSize(int size) {
        if (size != batchSize) {
            throw new IllegalArgumentException("these are the global batches of " + batchSize + " rows of a"
                    + " data-parallel run; train with that batch size, not " + size);
        }
    }

    private Iterator<INDArray> stacked(java.util.function.IntFunction<Iterable<INDArray>> batchesOf) {
        List<Iterator<INDArray>> its = new ArrayList<>();
        for (int w = 0; w < parts.size(); w++) {
            its.add(batchesOf.apply(w).iterator());
        }
        int steps = stepsPerEpoch();
        return new Iterator<>() {
            private int step;

            @Override
            public boolean hasNext() {
                return step < steps;
            }

            @Override
            public INDArray next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                step++;
                List<INDArray> pieces = new ArrayList<>();
                long rows = 0;
                for (Iterator<INDArray> it : its) {
                    INDArray b = it.next();
                    pieces.add(b);
                    rows += b.rows();
                }
                INDArray out = Tensors.zeros(dtype(), rows, cols());
                long at = 0;
                for (INDArray b : pieces) {
                    out.get(
                                    org.nd4j.linalg.indexing.NDArrayIndex.interval(at, at + b.rows()),
                                    org.nd4j.linalg.indexing.NDArrayIndex.all())
                            .assign(b);
                    at += b.rows();
                }
                return out;
            }
        };
    }

    @Override
    public INDArray sample(int n, long seed) {
        return whole.sample(n, seed);
    }

    @Override
    public INDArray meanRow() {
        return whole.meanRow();
    }

    @Override
    public String description() {
        return "the global batches of " + parts.size() + " workers over " + whole.description();
    }
}
