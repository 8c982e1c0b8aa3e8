package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.train.LossSpec;
import dev.saekit.train.OptimizerConfig;
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
        return n;
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
        return FIELDS.build(
                "",
                () -> TrainingConfig.builder()
                        .epochs(FIELDS.integer(n, "", "epochs"))
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
