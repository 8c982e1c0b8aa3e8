package dev.saekit.train;

/**
 * How to train: epochs, batch size, optimiser, schedule, clipping, loss and seed, and the training
 * features of the SAE trainers: input normalisation, decoder-bias init, sparsity warm-up, k annealing
 * and dead-latent resampling. Build it with {@link #builder()}; {@link Builder#build()} validates every
 * field and names the bad one.
 *
 * @param epochs     passes over the data (overcomplete's default: 20)
 * @param batchSize  rows per step
 * @param optimizer  Adam or AdamW with its learning rate
 * @param schedule   learning-rate schedule, stepped every batch
 * @param clipNorm   global gradient-norm bound; 0 disables clipping (default 1.0)
 * @param loss       the objective
 * @param seed       seed of the batch order
 * @param shuffle    whether each epoch visits the rows in a new seeded order (default) or in file order
 * @param normalization how every input row is scaled before the model sees it (default none); an
 *                   estimated factor is resolved when the run starts, and the run's config then holds it
 * @param decoderBiasInit where a fresh run's decoder bias starts (default {@link DecoderBiasInit#ZERO}: as built)
 * @param statisticsRows rows of the seeded sample that a normalisation estimate and a decoder-bias init read
 * @param sparsityWarmupSteps the L1 coefficient grows linearly from 0 over this many steps: at the 0-based
 *                   step t it is {@code min(1, t / n)} of its value (SAELens' {@code l1_warm_up_steps},
 *                   dictionary_learning's {@code sparsity_warmup_steps}); 0: none
 * @param kAnnealing k annealing for the top-k variants, or null
 * @param resampling dead-latent resampling, or null
 */
public record TrainingConfig(
        int epochs,
        int batchSize,
        OptimizerConfig optimizer,
        Schedule schedule,
        double clipNorm,
        Loss loss,
        long seed,
        boolean shuffle,
        InputNormalization normalization,
        DecoderBiasInit decoderBiasInit,
        int statisticsRows,
        long sparsityWarmupSteps,
        KAnnealing kAnnealing,
        Resampling resampling) {

    public TrainingConfig {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be > 0, was " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, was " + batchSize);
        }
        if (optimizer == null || schedule == null || loss == null) {
            throw new IllegalArgumentException("optimizer, schedule and loss are required, got optimizer=" + optimizer
                    + ", schedule=" + schedule + ", loss=" + loss);
        }
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
            throw new IllegalArgumentException(
                    "clipNorm must be finite and >= 0 (0 disables clipping), was " + clipNorm);
        }
        if (normalization == null || decoderBiasInit == null) {
            throw new IllegalArgumentException(
                    "normalization and decoderBiasInit are required (none, zero by default), " + "got normalization="
                            + normalization + ", decoderBiasInit=" + decoderBiasInit);
        }
        if (statisticsRows < 1) {
            throw new IllegalArgumentException("statisticsRows must be >= 1, was " + statisticsRows);
        }
        if (sparsityWarmupSteps < 0) {
            throw new IllegalArgumentException(
                    "sparsityWarmupSteps must be >= 0 (0: none), was " + sparsityWarmupSteps);
        }
    }

    /** Rows of the sample for a normalisation estimate or a decoder-bias init, by default. */
    public static final int DEFAULT_STATISTICS_ROWS = 8192;

    /** This config with another normalisation (a resolved estimate). */
    public TrainingConfig withNormalization(InputNormalization n) {
        return new TrainingConfig(
                epochs,
                batchSize,
                optimizer,
                schedule,
                clipNorm,
                loss,
                seed,
                shuffle,
                n,
                decoderBiasInit,
                statisticsRows,
                sparsityWarmupSteps,
                kAnnealing,
                resampling);
    }

    /** The factor the sparsity penalty is weighed by at the 0-based {@code step}: {@code min(1, step / warm-up)}. */
    public double sparsityFactor(long step) {
        return sparsityWarmupSteps == 0 || step >= sparsityWarmupSteps ? 1.0 : (double) step / sparsityWarmupSteps;
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder()
                .epochs(epochs)
                .batchSize(batchSize)
                .optimizer(optimizer)
                .schedule(schedule)
                .clipNorm(clipNorm)
                .loss(loss)
                .seed(seed)
                .shuffle(shuffle)
                .normalization(normalization)
                .decoderBiasInit(decoderBiasInit)
                .statisticsRows(statisticsRows)
                .sparsityWarmupSteps(sparsityWarmupSteps)
                .kAnnealing(kAnnealing)
                .resampling(resampling);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: 20 epochs, batch 1024, Adam lr 5e-4, constant schedule, clipping 1.0, MSE, seed 0, shuffled,
     * no normalisation, decoder bias as built, statistics from {@value #DEFAULT_STATISTICS_ROWS} rows, no
     * sparsity warm-up, no k annealing, no resampling.
     */
    public static final class Builder {
        private int epochs = 20;
        private int batchSize = 1024;
        private OptimizerConfig optimizer = OptimizerConfig.adam(5e-4);
        private Schedule schedule = Schedule.constant();
        private double clipNorm = 1.0;
        private Loss loss = Losses.mse();
        private long seed;
        private boolean shuffle = true;
        private InputNormalization normalization = InputNormalization.none();
        private DecoderBiasInit decoderBiasInit = DecoderBiasInit.ZERO;
        private int statisticsRows = DEFAULT_STATISTICS_ROWS;
        private long sparsityWarmupSteps;
        private KAnnealing kAnnealing;
        private Resampling resampling;

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder optimizer(OptimizerConfig v) {
            optimizer = v;
            return this;
        }

        public Builder schedule(Schedule v) {
            schedule = v;
            return this;
        }

        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        public Builder loss(Loss v) {
            loss = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        public Builder normalization(InputNormalization v) {
            normalization = v;
            return this;
        }

        public Builder decoderBiasInit(DecoderBiasInit v) {
            decoderBiasInit = v;
            return this;
        }

        public Builder statisticsRows(int v) {
            statisticsRows = v;
            return this;
        }

        public Builder sparsityWarmupSteps(long v) {
            sparsityWarmupSteps = v;
            return this;
        }

        /** k annealing, or null for none. */
        public Builder kAnnealing(KAnnealing v) {
            kAnnealing = v;
            return this;
        }

        /** Dead-latent resampling, or null for none. */
        public Builder resampling(Resampling v) {
            resampling = v;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(
                    epochs,
                    batchSize,
                    optimizer,
                    schedule,
                    clipNorm,
                    loss,
                    seed,
                    shuffle,
                    normalization,
                    decoderBiasInit,
                    statisticsRows,
                    sparsityWarmupSteps,
                    kAnnealing,
                    resampling);
        }
    }
}
