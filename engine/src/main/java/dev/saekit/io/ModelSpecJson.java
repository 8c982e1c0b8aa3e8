package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.JumpKernel;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.model.ModelSpec.VariantSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.Variant;
import dev.saekit.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link ModelSpec} (snake_case keys), as checkpoints store it. Reading validates
 * every field and names the one that is missing or wrong.
 *
 * <pre>{@code
 * {"input_dim": 768, "nb_concepts": 16384, "encoder": "linear", "normalization": "l2",
 *  "use_multiplier": false, "dtype": "float32", "seed": 0,
 *  "variant": {"name": "batchtopk", "k": 32, "k_per": "sample", "momentum": 0.9},
 *  "dictionary": {"kind": "standard"},
 *  "encoder_layout": {"kind": "standard"}}
 * }</pre>
 */
public final class ModelSpecJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private ModelSpecJson() {
    }

    public static ObjectNode toJson(ModelSpec spec) {
        ObjectNode n = MAPPER.createObjectNode();
        SaeConfig c = spec.sae();
        n.put("input_dim", c.inputDim());
        n.put("nb_concepts", c.nbConcepts());
        n.put("encoder", c.encoder().label());
        n.put("normalization", c.dictionary().normalization().label());
        n.put("use_multiplier", c.dictionary().useMultiplier());
        n.put("dtype", c.dtype().label());
        n.put("seed", c.seed());
        ObjectNode v = n.putObject("variant");
        v.put("name", spec.variant().variant().label());
        if (spec.variant() instanceof VariantSpec.TopK t) {
            v.put("k", t.k());
        } else if (spec.variant() instanceof VariantSpec.BatchTopK b) {
            putBatchK(v, b.k());
            v.put("momentum", b.momentum());
        } else if (spec.variant() instanceof VariantSpec.JumpRelu j) {
            v.put("kernel", j.kernel().label());
            v.put("bandwidth", j.bandwidth());
        } else if (spec.variant() instanceof VariantSpec.Mp m) {
            v.put("k", m.k());
            putDropout(v, m.dropout());
        } else if (spec.variant() instanceof VariantSpec.Omp o) {
            v.put("k", o.k());
            v.put("max_iter", o.maxIter());
            putDropout(v, o.dropout());
        } else if (spec.variant() instanceof VariantSpec.Msae m) {
            ArrayNode a = v.putArray("nesting");
            m.nesting().forEach(a::add);
            v.put("soft_cap", m.softCap());
        } else if (spec.variant() instanceof VariantSpec.PrefixMatryoshka p) {
            ArrayNode a = v.putArray("prefixes");
            p.prefixes().forEach(a::add);
            putBatchK(v, p.k());
            v.put("momentum", p.momentum());
        }
        ObjectNode d = n.putObject("dictionary");
        if (spec.dictionary() instanceof DictionarySpec.Archetypal a) {
            d.put("kind", "archetypal").put("points", a.nbPoints()).put("delta", a.delta()).put("use_multiplier", a.useMultiplier());
        } else if (spec.dictionary() instanceof DictionarySpec.Plain) {
            d.put("kind", "plain");
        } else {
            d.put("kind", "standard");
        }
        ObjectNode e = n.putObject("encoder_layout");
        if (spec.encoder() instanceof EncoderSpec.Tied t) {
            e.put("kind", "tied").put("bias", t.bias());
        } else if (spec.encoder() instanceof EncoderSpec.Untied u) {
            e.put("kind", "untied").put("bias", u.bias());
        } else if (spec.encoder() instanceof EncoderSpec.SaeLens s) {
            e.put("kind", "saelens").put("subtract_decoder_bias", s.subtractDecoderBias());
        } else {
            e.put("kind", "standard");
        }
        return n;
    }

    private static void putBatchK(ObjectNode v, BatchTopKSae.BatchK k) {
        if (k instanceof BatchTopKSae.BatchK.PerSample s) {
            v.put("k", s.k()).put("k_per", "sample");
        } else if (k instanceof BatchTopKSae.BatchK.PerBatch b) {
            v.put("k", b.k()).put("k_per", "batch");
        }
    }

    private static void putDropout(ObjectNode v, Double dropout) {
        if (dropout == null) {
            v.putNull("dropout");
        } else {
            v.put("dropout", dropout);
        }
    }

    /** The spec in {@code n}; an {@link IllegalArgumentException} names the bad or missing field. */
    public static ModelSpec fromJson(JsonNode n) {
        SaeConfig sae = new SaeConfig(integer(n, "input_dim"), integer(n, "nb_concepts"),
                EncoderKind.parse(text(n, "encoder")),
                new DictionaryConfig(Normalization.parse(text(n, "normalization")), bool(n, "use_multiplier")),
                DType.parse(text(n, "dtype")), longValue(n, "seed"));
        JsonNode v = field(n, "variant");
        Variant variant = Variant.parse(text(v, "name"));
        VariantSpec vs = switch (variant) {
            case VANILLA -> new VariantSpec.Vanilla();
            case TOPK -> new VariantSpec.TopK(integer(v, "k"));
            case BATCHTOPK -> new VariantSpec.BatchTopK(batchK(v), number(v, "momentum"));
            case JUMPRELU -> new VariantSpec.JumpRelu(JumpKernel.parse(text(v, "kernel")), (float) number(v, "bandwidth"));
            case MP -> new VariantSpec.Mp(integer(v, "k"), dropout(v));
            case OMP -> new VariantSpec.Omp(integer(v, "k"), integer(v, "max_iter"), dropout(v));
            case MSAE -> new VariantSpec.Msae(integers(v, "nesting"), number(v, "soft_cap"));
            case MATRYOSHKA -> new VariantSpec.PrefixMatryoshka(integers(v, "prefixes"), batchK(v), number(v, "momentum"));
        };
        JsonNode d = field(n, "dictionary");
        DictionarySpec ds = switch (text(d, "kind")) {
            case "standard" -> new DictionarySpec.Standard();
            case "plain" -> new DictionarySpec.Plain();
            case "archetypal" -> new DictionarySpec.Archetypal(integer(d, "points"), number(d, "delta"), bool(d, "use_multiplier"));
            default -> throw new IllegalArgumentException("dictionary.kind must be standard, plain or archetypal, was '"
                    + text(d, "kind") + "'");
        };
        JsonNode e = field(n, "encoder_layout");
        EncoderSpec es = switch (text(e, "kind")) {
            case "standard" -> new EncoderSpec.Standard();
            case "tied" -> new EncoderSpec.Tied(bool(e, "bias"));
            case "untied" -> new EncoderSpec.Untied(bool(e, "bias"));
            case "saelens" -> new EncoderSpec.SaeLens(bool(e, "subtract_decoder_bias"));
            default -> throw new IllegalArgumentException("encoder_layout.kind must be standard, tied, untied or saelens, was '"
                    + text(e, "kind") + "'");
        };
        return new ModelSpec(sae, vs, ds, es);
    }

    private static BatchTopKSae.BatchK batchK(JsonNode v) {
        String per = text(v, "k_per");
        return switch (per) {
            case "sample" -> new BatchTopKSae.BatchK.PerSample(integer(v, "k"));
            case "batch" -> new BatchTopKSae.BatchK.PerBatch(longValue(v, "k"));
            default -> throw new IllegalArgumentException("variant.k_per must be sample or batch, was '" + per + "'");
        };
    }

    private static Double dropout(JsonNode v) {
        JsonNode d = v.get("dropout");
        return d == null || d.isNull() ? null : number(v, "dropout");
    }

    private static JsonNode field(JsonNode n, String name) {
        JsonNode f = n.get(name);
        if (f == null || f.isNull()) {
            throw new IllegalArgumentException("model spec: missing field '" + name + "'");
        }
        return f;
    }

    private static String text(JsonNode n, String name) {
        JsonNode f = field(n, name);
        if (!f.isTextual()) {
            throw new IllegalArgumentException("model spec: field '" + name + "' must be a string, was " + f);
        }
        return f.asText();
    }

    private static int integer(JsonNode n, String name) {
        JsonNode f = field(n, name);
        if (!f.canConvertToInt() || !f.isIntegralNumber()) {
            throw new IllegalArgumentException("model spec: field '" + name + "' must be an integer, was " + f);
        }
        return f.asInt();
    }

    private static long longValue(JsonNode n, String name) {
        JsonNode f = field(n, name);
        if (!f.isIntegralNumber() || !f.canConvertToLong()) {
            throw new IllegalArgumentException("model spec: field '" + name + "' must be an integer, was " + f);
        }
        return f.asLong();
    }

    private static double number(JsonNode n, String name) {
        JsonNode f = field(n, name);
        if (!f.isNumber()) {
            throw new IllegalArgumentException("model spec: field '" + name + "' must be a number, was " + f);
        }
        return f.asDouble();
    }

    private static boolean bool(JsonNode n, String name) {
        JsonNode f = field(n, name);
        if (!f.isBoolean()) {
            throw new IllegalArgumentException("model spec: field '" + name + "' must be true or false, was " + f);
        }
        return f.asBoolean();
    }

    private static List<Integer> integers(JsonNode n, String name) {
        JsonNode f = field(n, name);
        if (!f.isArray()) {
            throw new IllegalArgumentException("model spec: field '" + name + "' must be a list of integers, was " + f);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode x : f) {
            if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                throw new IllegalArgumentException("model spec: field '" + name + "' must hold integers, has " + x);
            }
            out.add(x.asInt());
        }
        return out;
    }
}
