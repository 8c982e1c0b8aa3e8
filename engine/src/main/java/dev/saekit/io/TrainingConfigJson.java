package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.train.DecoderBiasInit;
import dev.saekit.train.InputNormalization;
import dev.saekit.train.KAnnealing;
import dev.saekit.train.LossSpec;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Resampling;
import dev.saekit.train.Schedule;
import dev.saekit.train.TrainingConfig;

/**
 * The JSON form of a {@link TrainingConfig} (snake_case keys), as checkpoints store it so that a
 * run resumes from its checkpoint alone. Reading validates every field and names the one that is
 * missing or wrong; a config written and read back is equal to the original, its loss's
 * {@link LossSpec} included ({@link LossSpecJson}).
 *
 * <pre>{@code
 * {"epochs": 20, "batch_size": 1024,
 *  "optimizer": {"kind": "adamw", "learning_rate": 5e-4, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
 *                "weight_decay": 0.01},
 *  "schedule": {"kind": "cosine", "warmup": 0.05, "final_lr_factor": 0.1},
 *  "clip_norm": 1.0, "seed": 0, "shuffle": true,
 *  "loss": {"kind": "sum", "terms": [{"kind": "mse"}, {"kind": "auxk", ...}]}}
 * }</pre>
 *
 * The schedules: {@code constant}, {@code cosine} and {@code linear} (both with {@code warmup} and
 * {@code final_lr_factor}, the factor the rate decays to).
 *
 * <p>The training features are written only when a run uses them (a config without them reads back
 * with their defaults, as older checkpoints do):
 *
 * <pre>{@code
 *  "normalization": {"kind": "unit", "sample_rows": 8192, "factor": 0.0123},   // or "sqrt_width"; "fixed"
 *  "decoder_bias_init": "median", "statistics_rows": 8192,                      // zero (default), mean, median
 *  "sparsity_warmup_steps": 1000,
 *  "k_annealing": {"start": 768, "steps": 2000},
 *  "resampling": {"every": 25000, "until": 100000, "sample_rows": 8192}
 * }</pre>
 *
 * An estimated normalisation's {@code factor} is absent until the run has estimated it; a checkpoint
 * always records it.
 */
public final class TrainingConfigJson {
    private static final JsonFields FIELDS = new JsonFields("training config");

    private TrainingConfigJson() {}

    public static ObjectNode toJson(TrainingConfig c) {
        ObjectNode n = ModelSpecJson.MAPPER.createObjectNode();
        n.put("epochs", c.epochs());
        n.put("batch_size", c.batchSize());
        OptimizerConfig o = c.optimizer();
        n.putObject("optimizer")
                .put("kind", o.kind().toString())
                .put("learning_rate", o.learningRate())
                .put("beta1", o.beta1())
                .put("beta2", o.beta2())
                .put("epsilon", o.epsilon())
                .put("weight_decay", o.weightDecay());
        ObjectNode s = n.putObject("schedule");
        if (c.schedule() instanceof Schedule.CosineWithWarmup cos) {
            s.put("kind", "cosine").put("warmup", cos.warmupFraction()).put("final_lr_factor", cos.minFactor());
        } else if (c.schedule() instanceof Schedule.LinearDecay lin) {
            s.put("kind", "linear").put("warmup", lin.warmupFraction()).put("final_lr_factor", lin.endFactor());
        } else {
            s.put("kind", "constant");
        }
        n.put("clip_norm", c.clipNorm());
        n.put("seed", c.seed());
        n.put("shuffle", c.shuffle());
        n.set("loss", LossSpecJson.toJson(c.loss().spec()));
        writeFeatures(c, n);
        return n;
    }

    private static void writeFeatures(TrainingConfig c, ObjectNode n) {
        if (c.normalization() instanceof InputNormalization.Fixed f) {
            n.putObject("normalization").put("kind", "fixed").put("factor", f.factor());
        } else if (c.normalization() instanceof InputNormalization.Estimated e) {
            ObjectNode o =
                    n.putObject("normalization").put("kind", e.target().label()).put("sample_rows", e.sampleRows());
            if (e.resolved()) {
                o.put("factor", e.estimate());
            }
        }
        if (c.decoderBiasInit() != DecoderBiasInit.ZERO) {
            n.put("decoder_bias_init", c.decoderBiasInit().label());
        }
        if (c.statisticsRows() != TrainingConfig.DEFAULT_STATISTICS_ROWS) {
            n.put("statistics_rows", c.statisticsRows());
        }
        if (c.sparsityWarmupSteps() != 0) {
            n.put("sparsity_warmup_steps", c.sparsityWarmupSteps());
        }
        if (c.kAnnealing() != null) {
            n.putObject("k_annealing")
                    .put("start", c.kAnnealing().start())
                    .put("steps", c.kAnnealing().steps());
        }
        if (c.resampling() != null) {
            n.putObject("resampling")
                    .put("every", c.resampling().every())
                    .put("until", c.resampling().until())
                    .put("sample_rows", c.resampling().sampleRows());
        }
    }

    /** The training features in {@code n} (their defaults where absent) set on {@code b}. */
    private static TrainingConfig.Builder readFeatures(JsonNode n, TrainingConfig.Builder b) {
        if (n.hasNonNull("normalization")) {
            JsonNode o = FIELDS.object(n, "", "normalization");
            String kind = FIELDS.text(o, "normalization", "kind");
            b.normalization(FIELDS.build("normalization", () -> switch (kind) {
                case "fixed" -> InputNormalization.fixed(FIELDS.number(o, "normalization", "factor"));
                case "unit", "sqrt_width" ->
                    new InputNormalization.Estimated(
                            InputNormalization.Target.parse(kind),
                            FIELDS.integer(o, "normalization", "sample_rows"),
                            o.hasNonNull("factor") ? FIELDS.number(o, "normalization", "factor") : Double.NaN);
                default ->
                    throw FIELDS.error(
                            "normalization.kind", "must be one of fixed, unit, sqrt_width; was '" + kind + "'");
            }));
        }
        if (n.hasNonNull("decoder_bias_init")) {
            String v = FIELDS.text(n, "", "decoder_bias_init");
            b.decoderBiasInit(FIELDS.build("decoder_bias_init", () -> DecoderBiasInit.parse(v)));
        }
        if (n.hasNonNull("statistics_rows")) {
            b.statisticsRows(FIELDS.integer(n, "", "statistics_rows"));
        }
        if (n.hasNonNull("sparsity_warmup_steps")) {
            b.sparsityWarmupSteps(FIELDS.longValue(n, "", "sparsity_warmup_steps"));
        }
        if (n.hasNonNull("k_annealing")) {
            JsonNode k = FIELDS.object(n, "", "k_annealing");
            b.kAnnealing(FIELDS.build(
                    "k_annealing",
                    () -> new KAnnealing(
                            FIELDS.integer(k, "k_annealing", "start"), FIELDS.longValue(k, "k_annealing", "steps"))));
        }
        if (n.hasNonNull("resampling")) {
            JsonNode r = FIELDS.object(n, "", "resampling");
            b.resampling(FIELDS.build(
                    "resampling",
                    () -> new Resampling(
                            FIELDS.longValue(r, "resampling", "every"),
                            FIELDS.longValue(r, "resampling", "until"),
                            FIELDS.integer(r, "resampling", "sample_rows"))));
        }
        return b;
    }

    /**
     * The config in {@code n}, its loss built from its spec; an {@link IllegalArgumentException}
     * names the bad or missing field (a {@code custom} loss, which is code and not data, included).
     */
    public static TrainingConfig fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("training config: must be an object, was " + n);
        }
        JsonNode o = FIELDS.object(n, "", "optimizer");
        OptimizerConfig optimizer = FIELDS.build(
                "optimizer",
                () -> new OptimizerConfig(
                        FIELDS.choice(
                                o, "optimizer", "kind", OptimizerConfig.Kind.values(), OptimizerConfig.Kind::toString),
                        FIELDS.number(o, "optimizer", "learning_rate"),
                        FIELDS.number(o, "optimizer", "beta1"),
                        FIELDS.number(o, "optimizer", "beta2"),
                        FIELDS.number(o, "optimizer", "epsilon"),
                        FIELDS.number(o, "optimizer", "weight_decay")));
        JsonNode s = FIELDS.object(n, "", "schedule");
        String kind = FIELDS.text(s, "schedule", "kind");
        Schedule schedule = FIELDS.build("schedule", () -> switch (kind) {
            case "constant" -> Schedule.constant();
            case "cosine" ->
                Schedule.cosine(
                        FIELDS.number(s, "schedule", "warmup"), FIELDS.number(s, "schedule", "final_lr_factor"));
            case "linear" ->
                Schedule.linearDecay(
                        FIELDS.number(s, "schedule", "warmup"), FIELDS.number(s, "schedule", "final_lr_factor"));
            default ->
                throw FIELDS.error("schedule.kind", "must be one of constant, cosine, linear; was '" + kind + "'");
        });
        LossSpec loss = LossSpecJson.fromJson(FIELDS.field(n, "", "loss"), "loss", FIELDS);
        if (customName(loss) != null) {
            throw FIELDS.error(
                    "loss",
                    "holds the custom loss '" + customName(loss) + "', which is code and not data: build the "
                            + "loss again and resume with a TrainingConfig of your own");
        }
        TrainingConfig.Builder features = readFeatures(n, TrainingConfig.builder());
        return FIELDS.build(
                "",
                () -> features.epochs(FIELDS.integer(n, "", "epochs"))
                        .batchSize(FIELDS.integer(n, "", "batch_size"))
                        .optimizer(optimizer)
                        .schedule(schedule)
                        .clipNorm(FIELDS.number(n, "", "clip_norm"))
                        .seed(FIELDS.longValue(n, "", "seed"))
                        .shuffle(FIELDS.bool(n, "", "shuffle"))
                        .loss(loss.build())
                        .build());
    }

    /** The name of the first custom term of {@code s}, or null. */
    private static String customName(LossSpec s) {
        if (s instanceof LossSpec.Custom c) {
            return c.name();
        }
        if (s instanceof LossSpec.Weighted w) {
            return customName(w.term());
        }
        if (s instanceof LossSpec.Sum sum) {
            return sum.terms().stream()
                    .map(TrainingConfigJson::customName)
                    .filter(java.util.Objects::nonNull)
                    .findFirst()
                    .orElse(null);
        }
        return null;
    }
}
