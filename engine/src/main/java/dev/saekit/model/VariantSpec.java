package dev.saekit.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A variant and its settings: one immutable record per variant, beside the variant's model class.
 * The record validates itself (an {@link InvalidSettingException} names the field and the value),
 * holds its defaults ({@link VariantKind#defaults}), reads and writes its JSON settings, and builds
 * its model. {@link ModelSpec#build()} is the only factory of models; the command line, the DSL and
 * the interop readers all make a {@link ModelSpec} and call it.
 *
 * <p>Adding a variant: its model class, its spec record (with a {@code KIND} constant), one entry
 * in the {@code permits} list below, and its DSL function. The registry ({@link #kinds()}), the JSON
 * form, the command line's {@code --variant} and its options all follow from the record.
 */
public sealed interface VariantSpec
        permits VanillaSpec, TopKSpec, BatchTopKSpec, JumpReluSpec, MpSpec, OmpSpec, MsaeSpec, PrefixMatryoshkaSpec {

    /** What kind of variant this is: its name, description, settings, defaults and JSON reader. */
    VariantKind kind();

    /** The variant's name, e.g. {@code topk}. */
    default String name() {
        return kind().name();
    }

    /**
     * Checks the settings against the rest of the model (its number of concepts, its encoder and
     * dictionary layout); an {@link IllegalArgumentException} names what does not fit. Nothing by default.
     */
    default void check(ModelSpec model) {}

    /** Writes the settings (not the name) into {@code into}, under the names of {@link VariantKind#settings()}. */
    void writeSettings(ObjectNode into);

    /** False for a variant that encodes with its dictionary alone (the matching pursuits): its encoder is the identity. */
    default boolean usesEncoder() {
        return true;
    }

    /**
     * True for a variant whose codes are made sparse by the loss (an l1 term) rather than by its own
     * mechanism: vanilla, JumpReLU. Trainers pick {@code mse_l1} by default for them.
     */
    default boolean sparsityFromLoss() {
        return false;
    }

    /** True for a variant trained on nested reconstructions (the Matryoshkas): trainers give it the nested loss. */
    default boolean nested() {
        return false;
    }

    /**
     * True for a variant whose codes a top-k selection picks, so that a concept can stop firing for
     * good (TopK, BatchTopK, prefix Matryoshka): trainers add AuxK by default.
     */
    default boolean selectsTopK() {
        return false;
    }

    /** The parameters and buffers the variant adds before the encoder's, without allocating them. */
    default List<ParameterShape> ownShapes(ModelSpec model) {
        return List.of();
    }

    /** Every parameter and buffer of {@code model}, in the model's order; the layout's by default. */
    default List<ParameterShape> parameterShapes(ModelSpec model) {
        return model.layoutShapes();
    }

    /**
     * A model of {@code model} (whose variant is this) with fresh weights; {@code parts} gives the
     * encoder, dictionary and decoder bias that the spec's layout describes, made on first use (a
     * variant with a layout of its own, MSAE, never asks for them).
     */
    SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts);

    /** Every variant, in the order of the {@code permits} list. */
    static List<VariantKind> kinds() {
        return VariantKind.all();
    }

    /** The variant named {@code name} (case-insensitive, '-' for '_'); the error lists the accepted names. */
    static VariantKind kind(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        for (VariantKind k : kinds()) {
            if (k.name().equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + name + "'; accepted: "
                + kinds().stream().map(VariantKind::name).collect(Collectors.joining(", ")));
    }

    /** The JSON form: {@code {"name": ..., settings...}}. */
    static ObjectNode toJson(VariantSpec spec, ObjectNode into) {
        into.put("name", spec.name());
        spec.writeSettings(into);
        return into;
    }

    /** The spec that {@code node} ({@code {"name": ..., settings...}}) describes; errors name the field under {@code path}. */
    static VariantSpec fromJson(JsonNode node, String path) {
        SpecFields fields = new SpecFields(node, path);
        VariantKind kind = kind(fields.text("name"));
        List<String> unknown = fields.names().stream()
                .filter(f -> !f.equals("name") && !kind.settings().contains(f))
                .toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(path + ": " + kind.name() + " has no setting " + unknown
                    + "; its settings: " + (kind.settings().isEmpty() ? "none" : String.join(", ", kind.settings())));
        }
        return kind.reader().apply(fields);
    }
}
