package dev.saekit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.data.Dataset;
import dev.saekit.io.ShardedDataset;
import dev.saekit.tensor.DType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows {@code saekit bench} trains on: synthetic ones, or {@code --data} read as {@code saekit
 * train --data} reads it (one file loaded into memory, shards streamed with read-ahead), handed to
 * the trainer as exactly {@code steps} full batches (a data set's shuffled epochs one after the
 * other, their short last batches left out), timing how long each {@code next()} kept the trainer
 * waiting.
 */
final class BenchData implements Dataset, AutoCloseable {
    private final Dataset rows;
    private final String source;
    private final int batch;
    private final int steps;
    private final long seed;
    private final long[] waitNanos;

    private BenchData(Dataset rows, String source, int batch, int steps, long seed) {
        this.rows = rows;
        this.source = source;
        this.batch = batch;
        this.steps = steps;
        this.seed = seed;
        this.waitNanos = new long[steps];
    }

    /** {@code rows} made up by the bench, whose batches are already the {@code steps} to train. */
    static BenchData synthetic(Dataset rows, int batch, int steps, long seed) {
        return new BenchData(rows, null, batch, steps, seed);
    }

    /** The rows of {@code path}, read as {@code train --data} reads them, not centred. */
    static BenchData read(Path path, DType dtype, int batch, int steps, long seed) throws CliException {
        TrainingData data =
                TrainingData.load(path, null, 1, null, false, dtype, ShardedDataset.DEFAULT_BUFFER_ROWS, batch);
        Cli.require(
                data.dataset().rows() >= batch,
                "--data " + path + " has " + data.dataset().rows() + " rows, fewer than one --batch of " + batch);
        return new BenchData(data.dataset(), path.toString(), batch, steps, seed);
    }

    /** Adds where the rows came from and how long the measured steps waited for them. */
    void describe(ObjectNode json, int warmup) {
        json.put("data", source == null ? "synthetic" : source);
        json.put(
                "data_read",
                source == null
                        ? "generated"
                        : rows instanceof ShardedDataset s
                                ? (s.readAhead() ? "streamed, read ahead" : "streamed")
                                : "in memory");
        json.put("data_rows", rows.rows());
        double[] waits = Arrays.stream(waitNanos, warmup, steps)
                .mapToDouble(n -> n / 1e9)
                .sorted()
                .toArray();
        json.put(
                "data_wait_s_per_step",
                Math.round(Arrays.stream(waits).average().orElse(0) * 1e6) / 1e6);
        json.put("data_wait_max_s", Math.round(waits.length == 0 ? 0 : waits[waits.length - 1] * 1e6) / 1e6);
    }

    /** Stops the reading of streamed rows (the last epoch is left mid-way). */
    @Override
    public void close() {
        if (rows instanceof ShardedDataset s) {
            s.close();
        }
    }

    @Override
    public long rows() {
        return (long) batch * steps;
    }

    @Override
    public int cols() {
        return rows.cols();
    }

    @Override
    public DType dtype() {
        return rows.dtype();
    }

    @Override
    public String description() {
        return rows.description();
    }

    @Override
    public long memoryBytes() {
        return rows.memoryBytes();
    }

    @Override
    public long memoryBytes(int batchSize) {
        return rows.memoryBytes(batchSize);
    }

    @Override
    public Iterable<INDArray> batchesInOrder(int batchSize) {
        return rows.batchesInOrder(batchSize);
    }

    /** {@code steps} full batches of the data set's epochs {@code 0, 1, ...}, each {@code next()} timed. */
    @Override
    public Iterable<INDArray> batches(int batchSize, long ignoredSeed, int ignoredEpoch) {
        return () -> new Iterator<>() {
            private int epoch;
            private int given;
            private Iterator<INDArray> epochBatches =
                    rows.batches(batch, seed, epoch).iterator();

            @Override
            public boolean hasNext() {
                return given < steps;
            }

            @Override
            public INDArray next() {
                if (given >= steps) {
                    throw new NoSuchElementException();
                }
                long t0 = System.nanoTime();
                INDArray b;
                do {
                    if (!epochBatches.hasNext()) {
                        epochBatches = rows.batches(batch, seed, ++epoch).iterator();
                    }
                    b = epochBatches.next();
                } while (b.rows() < batch);
                waitNanos[given++] = System.nanoTime() - t0;
                return b;
            }
        };
    }
}
