package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A JumpReLU SAE ({@link JumpSae}): a learned threshold per concept.
 *
 * @param kernel    the pseudo-derivative kernel of the threshold; default silverman
 * @param bandwidth the kernel's bandwidth, finite and > 0; default {@value #DEFAULT_BANDWIDTH}
 */
public record JumpReluSpec(JumpKernel kernel, float bandwidth) implements VariantSpec {
    public static final JumpKernel DEFAULT_KERNEL = JumpKernel.SILVERMAN;
    public static final float DEFAULT_BANDWIDTH = 1e-3f;
    public static final VariantKind KIND = new VariantKind(
            "jumprelu",
            "learned per-concept thresholds with a kernel pseudo-derivative",
            List.of("kernel", "bandwidth"),
            config -> new JumpReluSpec(DEFAULT_KERNEL, DEFAULT_BANDWIDTH),
            fields -> new JumpReluSpec(JumpKernel.parse(fields.text("kernel")), (float) fields.number("bandwidth")));

    public JumpReluSpec {
        Objects.requireNonNull(kernel, "kernel");
        InvalidSettingException.require(
                bandwidth > 0 && Float.isFinite(bandwidth), "jumprelu", "bandwidth", bandwidth, "finite and > 0");
    }

    @Override
    public VariantKind kind() {
        return KIND;
    }

    @Override
    public boolean sparsityFromLoss() {
        return true;
    }

    @Override
    public void writeSettings(ObjectNode into) {
        into.put("kernel", kernel.label());
        into.put("bandwidth", bandwidth);
    }

    @Override
    public List<ParameterShape> ownShapes(ModelSpec model) {
        return List.of(new ParameterShape(
                JumpSae.THRESHOLDS, new long[] {model.sae().nbConcepts()}, model.elementBytes(), true));
    }

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return new JumpSae(model, this, parts.get());
    }
}
