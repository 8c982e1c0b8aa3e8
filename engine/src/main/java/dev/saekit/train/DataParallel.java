package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.parallel.Collective;

/**
 * How one worker of a data-parallel run takes part in it ({@link Trainer#dataParallel}): the
 * workers it sums with, the rows of each global batch that are its own, and the whole data set.
 *
 * <p>Each worker trains on its own part of the data (the {@link Dataset} given to {@code fit}), a
 * batch of {@code batchRows} rows per step; the global batch of a step is the workers' batches
 * together, {@code config.batchSize()} rows in all. Every worker runs the same steps: an epoch is as
 * many steps as the worker with the fewest batches has, so that no worker waits for a sum the others
 * never call. The whole data set ({@code whole}) is what every worker reads the run's data-dependent
 * starting points from, the same ones one process would: the estimated input scale and the
 * decoder-bias initialisation.
 *
 * @param collective the workers, summing gradients and batch statistics
 * @param batchRows this worker's rows of each global batch ({@code >= 1})
 * @param whole the whole data set, as one process would train on it
 */
public record DataParallel(Collective collective, int batchRows, Dataset whole) {
    public DataParallel {
        if (collective == null || whole == null) {
            throw new IllegalArgumentException("data-parallel training needs the collective and the whole data set");
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("a worker's part of the batch must be >= 1 rows, was " + batchRows);
        }
    }

    /** The rows of a global batch of {@code batchSize} rows that worker {@code rank} of {@code workers} reads. */
    public static int share(int batchSize, int workers, int rank) {
        return dev.saekit.data.DataParallelBatches.share(batchSize, workers, rank);
    }
}
