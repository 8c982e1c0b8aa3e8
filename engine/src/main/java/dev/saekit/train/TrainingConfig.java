package dev.saekit.train;

/**
 * How to train: epochs, batch size, optimiser, schedule, clipping, loss and seed. Build it with
 * {@link #builder()}; {@link Builder#build()} validates every field and names the bad one.
 *
 * @param epochs     passes over the data (overcomplete's default: 20)
 * @param batchSize  rows per step
 * @param optimizer  Adam or AdamW with its learning rate
 * @param schedule   learning-rate schedule, stepped every batch
 * @param clipNorm   global gradient-norm bound; 0 disables clipping (default 1.0)
 * @param loss       the objective
 * @param seed       seed of the batch order
 * @param shuffle    whether each epoch visits the rows in a new seeded order (default) or in file order
 */
public record TrainingConfig(
        int epochs,
        int batchSize,
        OptimizerConfig optimizer,
        Schedule schedule,
        double clipNorm,
        Loss loss,
        long seed,
        boolean shuffle) {

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
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: 20 epochs, batch 1024, Adam lr 5e-4, constant schedule, clipping 1.0, MSE, seed 0, shuffled. */
    public static final class Builder {
        private int epochs = 20;
        private int batchSize = 1024;
        private OptimizerConfig optimizer = OptimizerConfig.adam(5e-4);
        private Schedule schedule = Schedule.constant();
        private double clipNorm = 1.0;
        private Loss loss = Losses.mse();
        private long seed;
        private boolean shuffle = true;

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

        public TrainingConfig build() {
            return new TrainingConfig(epochs, batchSize, optimizer, schedule, clipNorm, loss, seed, shuffle);
        }
    }
}
