package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.BatchTopKSae.BatchK;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A BatchTopK SAE ({@link BatchTopKSae}): the largest codes of the whole batch.
 *
 * @param k        codes per sample on average (default {@value TopKSpec#DEFAULT_K}) or per batch
 * @param momentum momentum of the running threshold used in evaluation, in [0, 1); default {@value #DEFAULT_MOMENTUM}
 */
public record BatchTopKSpec(BatchK k, double momentum) implements VariantSpec {
    public static final double DEFAULT_MOMENTUM = 0.9;
    public static final VariantKind KIND = new VariantKind(
            "batchtopk",
            "k codes per sample on average, chosen over the whole batch; running threshold in eval",
            List.of("k", "k_per", "momentum"),
            config -> new BatchTopKSpec(
                    new BatchK.PerSample(Math.min(TopKSpec.DEFAULT_K, config.nbConcepts())), DEFAULT_MOMENTUM),
            fields -> new BatchTopKSpec(readBatchK(fields, "batchtopk"), fields.number("momentum")));

    public BatchTopKSpec {
        Objects.requireNonNull(k, "k");
        checkMomentum("batchtopk", momentum);
    }

    /** {@code k} codes per sample on average, momentum {@value #DEFAULT_MOMENTUM}. */
    public static BatchTopKSpec perSample(int k) {
        return new BatchTopKSpec(new BatchK.PerSample(k), DEFAULT_MOMENTUM);
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
        checkK("batchtopk", k, model);
    }

    @Override
    public void writeSettings(ObjectNode into) {
        writeBatchK(k, into);
        into.put("momentum", momentum);
    }

    @Override
    public List<ParameterShape> ownShapes(ModelSpec model) {
        return List.of(runningThresholdShape(model));
    }

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return new BatchTopKSae(model, k, momentum, parts.get());
    }

    static ParameterShape runningThresholdShape(ModelSpec model) {
        return new ParameterShape(BatchTopKSae.RUNNING_THRESHOLD, new long[0], model.elementBytes(), false);
    }

    static void checkMomentum(String owner, double momentum) {
        InvalidSettingException.require(momentum >= 0 && momentum < 1, owner, "momentum", momentum, "in [0, 1)");
    }

    static void checkK(String owner, BatchK k, ModelSpec model) {
        int c = model.sae().nbConcepts();
        if (k instanceof BatchK.PerSample s) {
            InvalidSettingException.require(
                    s.k() <= c, owner, "k", s.k(), "in 1.." + c + " (the number of concepts) per sample");
        }
    }

    static void writeBatchK(BatchK k, ObjectNode into) {
        if (k instanceof BatchK.PerSample s) {
            into.put("k", s.k()).put("k_per", "sample");
        } else if (k instanceof BatchK.PerBatch b) {
            into.put("k", b.k()).put("k_per", "batch");
        }
    }

    /** The {@code k} and {@code k_per} settings of {@code owner} (batchtopk, matryoshka); errors name the owner. */
    static BatchK readBatchK(SpecFields fields, String owner) {
        String per = fields.text("k_per");
        try {
            return switch (per) {
                case "sample" -> new BatchK.PerSample(fields.integer("k"));
                case "batch" -> new BatchK.PerBatch(fields.longValue("k"));
                default -> throw new InvalidSettingException(owner, "k_per", per, "sample or batch");
            };
        } catch (InvalidSettingException e) {
            throw new InvalidSettingException(owner, e.setting(), e.value(), e.requirement());
        }
    }
}
