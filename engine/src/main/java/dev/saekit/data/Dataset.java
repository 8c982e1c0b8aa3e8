package dev.saekit.data;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows of activations {@code [rows, cols]} that a trainer reads in mini-batches.
 *
 * <p>Every value a batch holds is finite. A data set held in memory checks this when it is made
 * ({@link InMemoryDataset}); one streamed from files checks each row as it reads it and throws a
 * {@link dev.saekit.io.NonFiniteValueException} naming the file, the row within it and the column
 * ({@link dev.saekit.io.ShardedDataset}). A file that cannot be read mid-epoch is an
 * {@link java.io.UncheckedIOException}.
 */
public interface Dataset {

    long rows();

    int cols();

    DType dtype();

    /**
     * The mini-batches of one epoch in the order fixed by {@code seed} and {@code epoch} (the
     * same pair always gives the same order). Every row comes exactly once; the last batch may be
     * shorter. Each batch array is reused by the next one.
     */
    Iterable<INDArray> batches(int batchSize, long seed, int epoch);

    /** The mini-batches in row order, without shuffling. */
    Iterable<INDArray> batchesInOrder(int batchSize);

    /** Optional row labels (words, characters, classes), one per row. */
    default Optional<List<String>> labels() {
        return Optional.empty();
    }

    /**
     * The bytes this data set keeps in memory while a trainer reads it (its rows when it holds
     * them, a streaming buffer), for the trainer's memory estimate; 0 by default.
     */
    default long memoryBytes() {
        return 0;
    }

    /**
     * As {@link #memoryBytes()}, with what reading batches of {@code batchSize} rows adds (a
     * streamed data set assembles them on the heap, ahead of the trainer); {@link #memoryBytes()}
     * by default.
     */
    default long memoryBytes(int batchSize) {
        return memoryBytes();
    }

    /**
     * What fixes the order in which {@link #batches} gives this data set's rows, beside the seed,
     * the epoch and the batch size; empty when it is not known. Two data sets with the same order
     * give row {@code r} of each at the same place of every epoch: {@link SideBySideDataset} pairs
     * data sets only then.
     */
    default java.util.Optional<String> rowOrder() {
        return java.util.Optional.empty();
    }

    /** Where the data came from, for logs and provenance. */
    String description();

    /**
     * {@code n} distinct rows drawn uniformly at random (seeded, {@link RowSample#pick}), in row
     * order, as a new {@code [n, cols]} array; every row if {@code n >= rows()}. For k-means
     * candidates and quick looks; this default reads the batches in row order once.
     */
    default INDArray sample(int n, long seed) {
        long[] picked = RowSample.pick(rows(), n, seed);
        INDArray out = Tensors.zeros(dtype(), picked.length, cols());
        int next = 0;
        long start = 0;
        for (INDArray batch : batchesInOrder(4096)) {
            while (next < picked.length && picked[next] < start + batch.rows()) {
                out.putRow(next, batch.getRow(picked[next] - start));
                next++;
            }
            start += batch.rows();
        }
        return out;
    }

    /**
     * The mean row, {@code cols} values in {@link #dtype()}, from one pass over the batches in
     * row order: each batch is summed in float64 and the batch sums are added, so memory stays
     * that of one batch whatever the number of rows.
     */
    default INDArray meanRow() {
        double[] sum = new double[cols()];
        for (INDArray batch : batchesInOrder(4096)) {
            double[] s = batch.castTo(DataType.DOUBLE).sum(0).toDoubleVector();
            for (int j = 0; j < sum.length; j++) {
                sum[j] += s[j];
            }
        }
        for (int j = 0; j < sum.length; j++) {
            sum[j] /= rows();
        }
        return Tensors.fromFlat(dtype(), sum, cols());
    }
}
