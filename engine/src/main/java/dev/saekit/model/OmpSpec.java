package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;

/**
 * An orthogonal-matching-pursuit SAE ({@link OmpSae}): {@code k} steps, each re-fitting the codes by
 * non-negative least squares; no encoder.
 *
 * @param k       pursuit steps, in 1..concepts; default {@value MpSpec#DEFAULT_STEPS}
 * @param maxIter NNLS iterations per step, >= 1; default {@value #DEFAULT_MAX_ITER}
 * @param dropout probability of dropping each atom in a training forward, in [0, 1); null (default): none
 */
public record OmpSpec(int k, int maxIter, Double dropout) implements VariantSpec {
    public static final int DEFAULT_MAX_ITER = 10;
    public static final VariantKind KIND = new VariantKind(
            "omp",
            "orthogonal matching pursuit: k steps with non-negative least squares",
            List.of("k", "max_iter", "dropout"),
            config -> new OmpSpec(Math.min(MpSpec.DEFAULT_STEPS, config.nbConcepts()), DEFAULT_MAX_ITER, null),
            fields -> new OmpSpec(fields.integer("k"), fields.integer("max_iter"), fields.numberOrNull("dropout")));

    public OmpSpec {
        InvalidSettingException.require(k >= 1, "omp", "k", k, ">= 1");
        InvalidSettingException.require(maxIter >= 1, "omp", "max_iter", maxIter, ">= 1");
        MpSpec.checkDropout("omp", dropout);
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
        int c = model.sae().nbConcepts();
        InvalidSettingException.require(k <= c, "omp", "k", k, "in 1.." + c + " (the number of concepts)");
        MpSpec.checkNoEncoder(name(), model);
    }

    @Override
    public void writeSettings(ObjectNode into) {
        into.put("k", k);
        into.put("max_iter", maxIter);
        MpSpec.writeDropout(dropout, into);
    }

    @Override
    public List<ParameterShape> ownShapes(ModelSpec model) {
        return MpSpec.dropoutShapes(dropout);
    }

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return new OmpSae(model, this, parts.get());
    }
}
