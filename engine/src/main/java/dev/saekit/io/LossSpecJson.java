package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.CodeNormalization;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.LossSpec;
import dev.saekit.train.MatryoshkaLoss;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link LossSpec} (snake_case keys), one object per term with its {@code kind}:
 *
 * <pre>{@code
 * {"kind": "sum", "terms": [
 *     {"kind": "mse"},
 *     {"kind": "weighted", "weight": 0.5, "term": {"kind": "topk_aux", "penalty": 0.1}},
 *     {"kind": "auxk", "k_aux": 0, "coefficient": 0.03125, "flavor": "saelens", "window_steps": 0}]}
 * }</pre>
 *
 * The other kinds: {@code l1} and {@code mse_l1} ({@code lambda}), {@code reanimation}
 * ({@code penalty}), {@code mp_revive} ({@code coefficient}, {@code threshold}, {@code min_dead}),
 * {@code matryoshka} ({@code level_loss} mse or nmse, {@code weighting} uniform, reverse or given,
 * {@code weights} when given) and {@code custom} ({@code name}: a loss of the caller's code, which
 * reads back but does not build). Doubles are written as Java's shortest exact decimal, so a spec
 * reads back equal.
 */
public final class LossSpecJson {
    private LossSpecJson() {}

    public static ObjectNode toJson(LossSpec spec) {
        ObjectNode n = ModelSpecJson.MAPPER.createObjectNode();
        if (spec instanceof LossSpec.Mse) {
            n.put("kind", "mse");
        } else if (spec instanceof LossSpec.L1 l) {
            n.put("kind", "l1").put("lambda", l.lambda());
        } else if (spec instanceof LossSpec.MseL1 l) {
            n.put("kind", "mse_l1").put("lambda", l.lambda());
        } else if (spec instanceof LossSpec.TopKAux t) {
            n.put("kind", "topk_aux").put("penalty", t.penalty());
        } else if (spec instanceof LossSpec.AuxK a) {
            n.put("kind", "auxk")
                    .put("k_aux", a.kAux())
                    .put("coefficient", a.coefficient())
                    .put("flavor", JsonFields.lower(a.flavor()))
                    .put("window_steps", a.windowSteps());
        } else if (spec instanceof LossSpec.Fvu) {
            n.put("kind", "fvu");
        } else if (spec instanceof LossSpec.LayerL2 l) {
            n.put("kind", "layer_l2").put("layers", l.layers());
        } else if (spec instanceof LossSpec.WeightedL1 l) {
            n.put("kind", "weighted_l1")
                    .put("lambda", l.lambda())
                    .put("layers", l.layers())
                    .put("code_normalization", l.normalization().label());
        } else if (spec instanceof LossSpec.AuxKDictionaryLearning a) {
            n.put("kind", "auxk_dl")
                    .put("coefficient", a.coefficient())
                    .put("k_aux", a.kAux())
                    .put("dead_tokens", a.deadTokens())
                    .put("layers", a.layers())
                    .put("code_normalization", a.normalization().label());
        } else if (spec instanceof LossSpec.Reanimation r) {
            n.put("kind", "reanimation").put("penalty", r.penalty());
        } else if (spec instanceof LossSpec.MpRevive m) {
            n.put("kind", "mp_revive")
                    .put("coefficient", m.coefficient())
                    .put("threshold", m.threshold())
                    .put("min_dead", m.minDead());
        } else if (spec instanceof LossSpec.Matryoshka m) {
            n.put("kind", "matryoshka")
                    .put("level_loss", JsonFields.lower(m.kind()))
                    .put("weighting", m.weighting().label());
            if (m.weighting() == LossSpec.Matryoshka.Weighting.GIVEN) {
                m.weights().forEach(n.putArray("weights")::add);
            }
        } else if (spec instanceof LossSpec.Weighted w) {
            n.put("kind", "weighted").put("weight", w.weight());
            n.set("term", toJson(w.term()));
        } else if (spec instanceof LossSpec.Sum sum) {
            n.put("kind", "sum");
            com.fasterxml.jackson.databind.node.ArrayNode terms = n.putArray("terms");
            sum.terms().forEach(t -> terms.add(toJson(t)));
        } else if (spec instanceof LossSpec.Custom c) {
            n.put("kind", "custom").put("name", c.name());
        } else {
            throw new IllegalArgumentException("no JSON form for the loss spec " + spec);
        }
        return n;
    }

    /** The spec in {@code n}; an {@link IllegalArgumentException} names the bad or missing field. */
    public static LossSpec fromJson(JsonNode n) {
        return fromJson(n, "loss", new JsonFields("loss spec"));
    }

    /** The spec in {@code n}, found at {@code path} of the document that {@code fields} names (for its errors). */
    static LossSpec fromJson(JsonNode n, String path, JsonFields fields) {
        if (n == null || !n.isObject()) {
            throw fields.error(path, "must be an object with a 'kind', was " + n);
        }
        String kind = fields.text(n, path, "kind");
        java.util.function.Supplier<LossSpec> read = () -> switch (kind) {
            case "mse" -> new LossSpec.Mse();
            case "l1" -> new LossSpec.L1(fields.number(n, path, "lambda"));
            case "mse_l1" -> new LossSpec.MseL1(fields.number(n, path, "lambda"));
            case "topk_aux" -> new LossSpec.TopKAux(fields.number(n, path, "penalty"));
            case "auxk" ->
                new LossSpec.AuxK(
                        fields.integer(n, path, "k_aux"),
                        fields.number(n, path, "coefficient"),
                        fields.choice(n, path, "flavor", AuxKLoss.Flavor.values(), JsonFields::lower),
                        fields.longValue(n, path, "window_steps"));
            case "fvu" -> new LossSpec.Fvu();
            case "layer_l2" -> new LossSpec.LayerL2(fields.integer(n, path, "layers"));
            case "weighted_l1" ->
                new LossSpec.WeightedL1(
                        fields.number(n, path, "lambda"),
                        fields.integer(n, path, "layers"),
                        CodeNormalization.parse(fields.text(n, path, "code_normalization")));
            case "auxk_dl" ->
                new LossSpec.AuxKDictionaryLearning(
                        fields.number(n, path, "coefficient"),
                        fields.integer(n, path, "k_aux"),
                        fields.longValue(n, path, "dead_tokens"),
                        fields.integer(n, path, "layers"),
                        CodeNormalization.parse(fields.text(n, path, "code_normalization")));
            case "reanimation" -> new LossSpec.Reanimation(fields.number(n, path, "penalty"));
            case "mp_revive" ->
                new LossSpec.MpRevive(
                        fields.number(n, path, "coefficient"),
                        fields.number(n, path, "threshold"),
                        fields.integer(n, path, "min_dead"));
            case "matryoshka" -> matryoshka(n, path, fields);
            case "weighted" ->
                new LossSpec.Weighted(
                        fromJson(fields.field(n, path, "term"), path + ".term", fields),
                        fields.number(n, path, "weight"));
            case "sum" -> new LossSpec.Sum(terms(n, path, fields));
            case "custom" -> new LossSpec.Custom(fields.text(n, path, "name"));
            default ->
                throw fields.error(
                        path + ".kind",
                        "must be one of mse, l1, mse_l1, topk_aux, auxk, auxk_dl, fvu, layer_l2, weighted_l1, reanimation, "
                                + "mp_revive, matryoshka, weighted, sum, custom; was '" + kind + "'");
        };
        return fields.build(path, read);
    }

    private static LossSpec matryoshka(JsonNode n, String path, JsonFields fields) {
        MatryoshkaLoss.Kind level =
                fields.choice(n, path, "level_loss", MatryoshkaLoss.Kind.values(), JsonFields::lower);
        LossSpec.Matryoshka.Weighting weighting = fields.choice(
                n, path, "weighting", LossSpec.Matryoshka.Weighting.values(), LossSpec.Matryoshka.Weighting::label);
        List<Double> weights =
                weighting == LossSpec.Matryoshka.Weighting.GIVEN ? fields.numbers(n, path, "weights") : List.of();
        return new LossSpec.Matryoshka(level, weighting, weights);
    }

    private static List<LossSpec> terms(JsonNode n, String path, JsonFields fields) {
        JsonNode a = fields.array(n, path, "terms");
        List<LossSpec> terms = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            terms.add(fromJson(a.get(i), path + ".terms[" + i + "]", fields));
        }
        return terms;
    }
}
