package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;

/** The vanilla SAE ({@link Sae}): ReLU codes, no settings; sparsity comes from the loss. */
public record VanillaSpec() implements VariantSpec {
    public static final VariantKind KIND = new VariantKind(
            "vanilla",
            "ReLU codes, sparsity from the loss (mse_l1)",
            List.of(),
            config -> new VanillaSpec(),
            fields -> new VanillaSpec());

    @Override
    public VariantKind kind() {
        return KIND;
    }

    @Override
    public boolean sparsityFromLoss() {
        return true;
    }

    @Override
    public void writeSettings(ObjectNode into) {}

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return new Sae(model, parts.get());
    }
}
