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
 * @param batchRows this worker's rows of each global batch ({@code >= 1}; {@link
 *     dev.saekit.data.DataParallelBatches#shares} splits a batch in proportion to the parts)
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

    /**
     * Refuses what data-parallel training cannot share among its workers, before anything runs: a loss
     * whose terms do not add up over the workers' parts ({@link Loss#dataParallel()}), dead-latent
     * resampling (it resamples from one batch's rows), and a model whose training forward needs the
     * whole batch in one place (a BatchNorm encoder).
     *
     * @throws IllegalArgumentException naming what cannot be shared and what to do instead
     */
    public static void check(dev.saekit.model.SparseAutoencoder model, TrainingConfig config) {
        if (!config.loss().dataParallel()) {
            throw new IllegalArgumentException("the loss " + config.loss().label() + " cannot be trained data-parallel"
                    + " (a term that does not add up over the workers' parts of the batch): train it in one process");
        }
        if (config.resampling() != null) {
            throw new IllegalArgumentException("dead-latent resampling cannot be trained data-parallel (it resamples"
                    + " from one batch's rows): train it in one process, or use an AuxK loss against dead latents");
        }
        if (model.encoder().usesBatchStatistics()) {
            throw new IllegalArgumentException("this model's encoder normalises with the batch's own mean and variance"
                    + " (BatchNorm), which data-parallel workers do not share: train it in one process, or choose an"
                    + " encoder without batch norm");
        }
    }
}
