package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;

/**
 * A TopK SAE ({@link TopKSae}): the {@code k} largest codes of each row.
 *
 * @param k codes kept per row, in 1..concepts; default {@value #DEFAULT_K} (at most the number of
 *          concepts). overcomplete defaults to concepts / 10; saekit keeps one default for every front end.
 */
public record TopKSpec(int k) implements VariantSpec {
    public static final int DEFAULT_K = 16;
    public static final VariantKind KIND = new VariantKind(
            "topk",
            "the k largest codes per sample",
            List.of("k"),
            config -> new TopKSpec(Math.min(DEFAULT_K, config.nbConcepts())),
            fields -> new TopKSpec(fields.integer("k")));

    public TopKSpec {
        InvalidSettingException.require(k >= 1, "topk", "k", k, ">= 1");
    }

    @Override
    public VariantKind kind() {
        return KIND;
    }

    @Override
    public boolean selectsTopK() {
        return true;
    }

    @Override
    public void check(ModelSpec model) {
        int c = model.sae().nbConcepts();
        InvalidSettingException.require(k <= c, "topk", "k", k, "in 1.." + c + " (the number of concepts)");
    }

    @Override
    public void writeSettings(ObjectNode into) {
        into.put("k", k);
    }

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return new TopKSae(model, this, parts.get());
    }
}
