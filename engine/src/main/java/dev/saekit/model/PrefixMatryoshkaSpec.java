package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.BatchTopKSae.BatchK;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Matryoshka over nested dictionary prefixes on BatchTopK codes ({@link PrefixMatryoshkaSae}).
 *
 * @param prefixes the prefix sizes, distinct, kept sorted; the whole dictionary is always the last level
 *                 (added by the model when it is not listed); default concepts/16 and concepts/4
 * @param k        codes per sample on average (default {@value TopKSpec#DEFAULT_K}) or per batch
 * @param momentum momentum of the running threshold used in evaluation, in [0, 1); default
 *                 {@value BatchTopKSpec#DEFAULT_MOMENTUM}
 */
public record PrefixMatryoshkaSpec(List<Integer> prefixes, BatchK k, double momentum) implements VariantSpec {
    public static final VariantKind KIND = new VariantKind(
            "matryoshka",
            "Matryoshka over nested dictionary prefixes, BatchTopK codes",
            List.of("prefixes", "k", "k_per", "momentum"),
            config -> new PrefixMatryoshkaSpec(
                    defaultPrefixes(config.nbConcepts()),
                    new BatchK.PerSample(Math.min(TopKSpec.DEFAULT_K, config.nbConcepts())),
                    BatchTopKSpec.DEFAULT_MOMENTUM),
            fields -> new PrefixMatryoshkaSpec(
                    fields.integers("prefixes"),
                    BatchTopKSpec.readBatchK(fields, "matryoshka"),
                    fields.number("momentum")));

    public PrefixMatryoshkaSpec {
        prefixes = prefixes.stream().sorted().toList();
        Objects.requireNonNull(k, "k");
        InvalidSettingException.require(
                prefixes.isEmpty() || prefixes.get(0) >= 1, "matryoshka", "prefixes", prefixes, "sizes >= 1");
        InvalidSettingException.require(
                prefixes.stream().distinct().count() == prefixes.size(),
                "matryoshka",
                "prefixes",
                prefixes,
                "distinct sizes");
        BatchTopKSpec.checkMomentum("matryoshka", momentum);
    }

    /** The default prefixes: concepts/16 and concepts/4 (at least 1, distinct). */
    public static List<Integer> defaultPrefixes(int concepts) {
        return Stream.of(Math.max(1, concepts / 16), Math.max(1, concepts / 4))
                .distinct()
                .toList();
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
    public boolean nested() {
        return true;
    }

    @Override
    public void check(ModelSpec model) {
        int c = model.sae().nbConcepts();
        if (!prefixes.isEmpty()) {
            InvalidSettingException.require(
                    prefixes.get(prefixes.size() - 1) <= c,
                    "matryoshka",
                    "prefixes",
                    prefixes,
                    "sizes in 1.." + c + " (the number of concepts)");
        }
        BatchTopKSpec.checkK("matryoshka", k, model);
    }

    @Override
    public void writeSettings(ObjectNode into) {
        ArrayNode a = into.putArray("prefixes");
        prefixes.forEach(a::add);
        BatchTopKSpec.writeBatchK(k, into);
        into.put("momentum", momentum);
    }

    @Override
    public List<ParameterShape> ownShapes(ModelSpec model) {
        return List.of(BatchTopKSpec.runningThresholdShape(model));
    }

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return new PrefixMatryoshkaSae(model, this, parts.get());
    }
}
