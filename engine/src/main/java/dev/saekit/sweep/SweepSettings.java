package dev.saekit.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.io.TrainingConfigJson;
import dev.saekit.model.SaeConfig;
import dev.saekit.tensor.DType;
import dev.saekit.train.Loss;
import dev.saekit.train.Losses;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Schedule;
import dev.saekit.train.TrainingConfig;
import java.util.Objects;

/**
 * What every cell of a sweep shares: the model's size, dtype and seed (linear encoder, standard
 * dictionary) and how it trains. Only the variant, its level and the loss that follows from them
 * (see {@link SweepCell#loss}) change from cell to cell. Build it with {@link #builder(int)}.
 *
 * @param concepts  number of concepts of every model, > 0
 * @param dtype     element type of the weights
 * @param seed      seed of the initial weights and of the batch order
 * @param epochs    passes over the data, > 0
 * @param batchSize rows per step, > 0 (also the rows per batch of the final evaluation)
 * @param optimizer Adam or AdamW with its learning rate
 * @param schedule  learning-rate schedule, stepped every batch
 * @param clipNorm  global gradient-norm bound; 0 disables clipping
 * @param auxK      whether the variants that pick their codes by top-k add AuxK (as {@code saekit train} does)
 */
public record SweepSettings(
        int concepts,
        DType dtype,
        long seed,
        int epochs,
        int batchSize,
        OptimizerConfig optimizer,
        Schedule schedule,
        double clipNorm,
        boolean auxK) {

    public SweepSettings {
        if (concepts <= 0) {
            throw new IllegalArgumentException("concepts must be > 0, was " + concepts);
        }
        Objects.requireNonNull(dtype, "dtype");
        // the rest is checked as the TrainingConfig it becomes
        trainingConfig(epochs, batchSize, optimizer, schedule, clipNorm, Losses.mse(), seed);
    }

    /** Settings for models of {@code concepts} concepts; the rest defaults as {@link Builder} says. */
    public static Builder builder(int concepts) {
        return new Builder(concepts);
    }

    /** The shape of every cell's model for rows of width {@code inputDim}. */
    public SaeConfig saeConfig(int inputDim) {
        return new SaeConfig(inputDim, concepts, EncoderKind.LINEAR, DictionaryConfig.defaults(), dtype, seed);
    }

    /** How a cell trains, with its own {@code loss}. */
    public TrainingConfig trainingConfig(Loss loss) {
        return trainingConfig(epochs, batchSize, optimizer, schedule, clipNorm, loss, seed);
    }

    private static TrainingConfig trainingConfig(
            int epochs,
            int batchSize,
            OptimizerConfig optimizer,
            Schedule schedule,
            double clip,
            Loss loss,
            long seed) {
        return TrainingConfig.builder()
                .epochs(epochs)
                .batchSize(batchSize)
                .optimizer(optimizer)
                .schedule(schedule)
                .clipNorm(clip)
                .loss(loss)
                .seed(seed)
                .build();
    }

    /**
     * {@code {"concepts", "dtype", "aux_k", "training": {epochs, batch_size, optimizer, schedule,
     * clip_norm, seed, shuffle}}}: the training part in the checkpoints' own form, without a loss.
     */
    public ObjectNode toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("concepts", concepts);
        n.put("dtype", dtype.label());
        n.put("aux_k", auxK);
        ObjectNode training = TrainingConfigJson.toJson(trainingConfig(Losses.mse()));
        training.remove("loss");
        n.set("training", training);
        return n;
    }

    /** The settings written by {@link #toJson()}; an {@link IllegalArgumentException} names the bad field. */
    public static SweepSettings fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("settings: must be an object, was " + n);
        }
        for (String f : new String[] {"concepts", "dtype", "aux_k", "training"}) {
            if (!n.has(f)) {
                throw new IllegalArgumentException("settings: missing field '" + f + "'");
            }
        }
        ObjectNode training = n.get("training").deepCopy();
        training.set("loss", new ObjectMapper().createObjectNode().put("kind", "mse"));
        TrainingConfig c = TrainingConfigJson.fromJson(training);
        return new SweepSettings(
                n.get("concepts").asInt(),
                DType.parse(n.get("dtype").asText()),
                c.seed(),
                c.epochs(),
                c.batchSize(),
                c.optimizer(),
                c.schedule(),
                c.clipNorm(),
                n.get("aux_k").asBoolean());
    }

    /**
     * The settings' optional parts. Defaults: float32, seed 0, the engine's training defaults (20
     * epochs, batch 1024, Adam lr 5e-4, constant schedule, clipping 1.0), AuxK on.
     */
    public static final class Builder {
        private final int concepts;
        private DType dtype = DType.FLOAT32;
        private long seed;
        private int epochs = 20;
        private int batchSize = 1024;
        private OptimizerConfig optimizer = OptimizerConfig.adam(5e-4);
        private Schedule schedule = Schedule.constant();
        private double clipNorm = 1.0;
        private boolean auxK = true;

        private Builder(int concepts) {
            this.concepts = concepts;
        }

        public Builder dtype(DType v) {
            dtype = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

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

        public Builder auxK(boolean v) {
            auxK = v;
            return this;
        }

        public SweepSettings build() {
            return new SweepSettings(concepts, dtype, seed, epochs, batchSize, optimizer, schedule, clipNorm, auxK);
        }
    }
}
