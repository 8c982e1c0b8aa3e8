package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SpecFields;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;

/**
 * The JSON form of a {@link ModelSpec} (snake_case keys), as checkpoints store it; each variant's
 * record writes and reads its own settings ({@link VariantSpec#toJson}, {@link VariantSpec#fromJson}).
 * Reading validates every field and names the one that is missing or wrong.
 *
 * <pre>{@code
 * {"input_dim": 768, "nb_concepts": 16384, "encoder": "linear", "normalization": "l2",
 *  "use_multiplier": false, "dtype": "float32", "seed": 0,
 *  "variant": {"name": "batchtopk", "k": 32, "k_per": "sample", "momentum": 0.9},
 *  "dictionary": {"kind": "standard"},
 *  "encoder_layout": {"kind": "standard"}}
 * }</pre>
 *
 * <p>A transcoder or crosscoder adds {@code "coder"}: {@code {"kind": "transcoder", "output_dim":
 * 384, "skip": true}} or {@code {"kind": "crosscoder", "layers": 2, "code_normalization":
 * "crosscoder"}}; without it the model is an autoencoder.
 */
public final class ModelSpecJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String WHERE = "model spec";

    private ModelSpecJson() {}

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
        VariantSpec.toJson(spec.variant(), n.putObject("variant"));
        ObjectNode d = n.putObject("dictionary");
        if (spec.dictionary() instanceof DictionarySpec.Archetypal a) {
            d.put("kind", "archetypal")
                    .put("points", a.nbPoints())
                    .put("delta", a.delta())
                    .put("use_multiplier", a.useMultiplier());
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
        if (spec.coder() instanceof CoderSpec.Transcoder t) {
            n.putObject("coder")
                    .put("kind", t.kind())
                    .put("output_dim", t.outputDim())
                    .put("skip", t.skip());
        } else if (spec.coder() instanceof CoderSpec.Crosscoder cc) {
            n.putObject("coder")
                    .put("kind", cc.kind())
                    .put("layers", cc.layers())
                    .put("code_normalization", cc.normalization().label());
            if (cc.normalizesActivations()) {
                ((ObjectNode) n.get("coder")).put("normalizes_activations", true);
            }
        }
        return n;
    }

    /** The spec in {@code n}; an {@link IllegalArgumentException} names the bad or missing field. */
    public static ModelSpec fromJson(JsonNode n) {
        SpecFields f = new SpecFields(n, WHERE);
        SaeConfig sae = new SaeConfig(
                f.integer("input_dim"),
                f.integer("nb_concepts"),
                EncoderKind.parse(f.text("encoder")),
                new DictionaryConfig(Normalization.parse(f.text("normalization")), f.bool("use_multiplier")),
                DType.parse(f.text("dtype")),
                f.longValue("seed"));
        VariantSpec vs = VariantSpec.fromJson(f.field("variant"), WHERE);
        SpecFields d = f.object("dictionary");
        DictionarySpec ds = switch (d.text("kind")) {
            case "standard" -> new DictionarySpec.Standard();
            case "plain" -> new DictionarySpec.Plain();
            case "archetypal" ->
                new DictionarySpec.Archetypal(d.integer("points"), d.number("delta"), d.bool("use_multiplier"));
            default ->
                throw new IllegalArgumentException(
                        "dictionary.kind must be standard, plain or archetypal, was '" + d.text("kind") + "'");
        };
        SpecFields e = f.object("encoder_layout");
        EncoderSpec es = switch (e.text("kind")) {
            case "standard" -> new EncoderSpec.Standard();
            case "tied" -> new EncoderSpec.Tied(e.bool("bias"));
            case "untied" -> new EncoderSpec.Untied(e.bool("bias"));
            case "saelens" -> new EncoderSpec.SaeLens(e.bool("subtract_decoder_bias"));
            default ->
                throw new IllegalArgumentException(
                        "encoder_layout.kind must be standard, tied, untied or saelens, was '" + e.text("kind") + "'");
        };
        return new ModelSpec(sae, vs, ds, es, coder(f));
    }

    /** The {@code coder} object; an autoencoder when it is absent (every spec written before transcoders). */
    private static CoderSpec coder(SpecFields f) {
        if (!f.has("coder")) {
            return new CoderSpec.Autoencoder();
        }
        SpecFields c = f.object("coder");
        return switch (c.text("kind")) {
            case "autoencoder" -> new CoderSpec.Autoencoder();
            case "transcoder" -> new CoderSpec.Transcoder(c.integer("output_dim"), c.bool("skip"));
            case "crosscoder" ->
                new CoderSpec.Crosscoder(
                        c.integer("layers"),
                        CodeNormalization.parse(c.text("code_normalization")),
                        c.has("normalizes_activations") && c.bool("normalizes_activations"));
            default ->
                throw new IllegalArgumentException(
                        "coder.kind must be autoencoder, transcoder or crosscoder, was '" + c.text("kind") + "'");
        };
    }
}
