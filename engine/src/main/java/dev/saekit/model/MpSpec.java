package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;

/**
 * A matching-pursuit SAE ({@link MpSae}): {@code k} greedy steps over the dictionary; no encoder.
 *
 * @param k       pursuit steps, >= 1 (an atom may be picked more than once); default {@value #DEFAULT_STEPS}
 * @param dropout probability of dropping each atom in a training forward, in [0, 1); null (default): none
 */
public record MpSpec(int k, Double dropout) implements VariantSpec {
    public static final int DEFAULT_STEPS = 8;
    public static final VariantKind KIND = new VariantKind(
            "mp",
            "matching pursuit: k greedy steps over the dictionary",
            List.of("k", "dropout"),
            config -> new MpSpec(DEFAULT_STEPS, null),
            fields -> new MpSpec(fields.integer("k"), fields.numberOrNull("dropout")));

    public MpSpec {
        InvalidSettingException.require(k >= 1, "mp", "k", k, ">= 1");
        checkDropout("mp", dropout);
    }

    @Override
    public VariantKind kind() {
        return KIND;
    }

    @Override
    public boolean usesEncoder() {
        return false;
    }

    @Override
    public void check(ModelSpec model) {
        checkNoEncoder(name(), model);
    }

    @Override
    public void writeSettings(ObjectNode into) {
        into.put("k", k);
        writeDropout(dropout, into);
    }

    @Override
    public List<ParameterShape> ownShapes(ModelSpec model) {
        return dropoutShapes(dropout);
    }

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return new MpSae(model, this, parts.get());
    }

    static void checkDropout(String owner, Double dropout) {
        InvalidSettingException.require(
                dropout == null || (dropout >= 0 && dropout < 1), owner, "dropout", dropout, "in [0, 1)");
    }

    static void checkNoEncoder(String owner, ModelSpec model) {
        if (!(model.encoder() instanceof ModelSpec.EncoderSpec.Standard)) {
            throw new IllegalArgumentException(
                    owner + " encodes with the dictionary itself; its encoder cannot be " + model.encoder());
        }
    }

    static void writeDropout(Double dropout, ObjectNode into) {
        if (dropout == null) {
            into.putNull("dropout");
        } else {
            into.put("dropout", dropout);
        }
    }

    static List<ParameterShape> dropoutShapes(Double dropout) {
        return dropout == null ? List.of() : List.of(new ParameterShape(DropoutMask.STATE, new long[0], 8, false));
    }
}
