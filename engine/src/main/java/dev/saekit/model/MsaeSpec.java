package dev.saekit.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Matryoshka SAE of the MSAE paper ({@link MatryoshkaSae}): nested TopK levels over one
 * dictionary, with an encoder and decoder of its own (it takes no other layout).
 *
 * @param nesting the k of each level, distinct, kept sorted; default 8, 16, 32 (those up to the number of concepts)
 * @param softCap the soft cap {@code s} of {@code s tanh(z / s)} on the codes, finite and >= 0 (0: none);
 *                default {@value MatryoshkaSae#DEFAULT_SOFT_CAP}
 */
public record MsaeSpec(List<Integer> nesting, double softCap) implements VariantSpec {
    public static final List<Integer> DEFAULT_NESTING = List.of(8, 16, 32);
    public static final VariantKind KIND = new VariantKind(
            "msae",
            "Matryoshka of the MSAE paper: nested k over one dictionary",
            List.of("nesting", "soft_cap"),
            config -> new MsaeSpec(defaultNesting(config.nbConcepts()), MatryoshkaSae.DEFAULT_SOFT_CAP),
            fields -> new MsaeSpec(fields.integers("nesting"), fields.number("soft_cap")));

    public MsaeSpec {
        nesting = nesting.stream().sorted().toList();
        InvalidSettingException.require(!nesting.isEmpty(), "msae", "nesting", nesting, "at least one k");
        InvalidSettingException.require(nesting.get(0) >= 1, "msae", "nesting", nesting, "k values >= 1");
        InvalidSettingException.require(
                nesting.stream().distinct().count() == nesting.size(),
                "msae",
                "nesting",
                nesting,
                "distinct k values (each level needs its own)");
        InvalidSettingException.require(
                softCap >= 0 && Double.isFinite(softCap),
                "msae",
                "soft_cap",
                softCap,
                "finite and >= 0 (0 turns it off)");
    }

    private static List<Integer> defaultNesting(int concepts) {
        List<Integer> fit = DEFAULT_NESTING.stream().filter(k -> k <= concepts).toList();
        return fit.isEmpty() ? List.of(concepts) : fit;
    }

    @Override
    public VariantKind kind() {
        return KIND;
    }

    @Override
    public boolean nested() {
        return true;
    }

    @Override
    public void check(ModelSpec model) {
        int c = model.sae().nbConcepts();
        int largest = nesting.get(nesting.size() - 1);
        InvalidSettingException.require(
                largest <= c, "msae", "nesting", nesting, "k values in 1.." + c + " (the number of concepts)");
        if (!(model.dictionary() instanceof ModelSpec.DictionarySpec.Standard)) {
            throw new IllegalArgumentException("an msae model has its own decoder; it takes no other dictionary");
        }
        if (!(model.encoder() instanceof ModelSpec.EncoderSpec.Standard)) {
            throw new IllegalArgumentException(
                    "an msae model keeps its own encoder; it cannot be tied, untied or laid out as SAELens");
        }
    }

    @Override
    public void writeSettings(ObjectNode into) {
        ArrayNode a = into.putArray("nesting");
        nesting.forEach(a::add);
        into.put("soft_cap", softCap);
    }

    /** The paper's own order: pre_bias, encoder, latent_bias, decoder, then the activation-frequency buffer. */
    @Override
    public List<ParameterShape> parameterShapes(ModelSpec model) {
        long d = model.sae().inputDim();
        long c = model.sae().nbConcepts();
        int w = model.elementBytes();
        return List.of(
                new ParameterShape("pre_bias", new long[] {d}, w, true),
                new ParameterShape("encoder", new long[] {d, c}, w, true),
                new ParameterShape("latent_bias", new long[] {c}, w, true),
                new ParameterShape("decoder", new long[] {c, d}, w, true),
                new ParameterShape(MatryoshkaSae.ACTIVATION_FREQUENCY, new long[] {c}, 8, false));
    }

    @Override
    public SparseAutoencoder build(ModelSpec model, Supplier<ModelParts> parts) {
        return MatryoshkaSae.create(model, this);
    }

    int[] nestingArray() {
        return nesting.stream().mapToInt(Integer::intValue).toArray();
    }
}
