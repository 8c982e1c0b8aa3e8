package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae.BatchK;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.JumpKernel;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.MsaeSpec;
import dev.saekit.model.OmpSpec;
import dev.saekit.model.PrefixMatryoshkaSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Every variant with random settings, over random configs, dictionaries and encoder layouts: the
 * spec survives its JSON text exactly, and a model built from it gives the same spec back.
 */
class ModelSpecRoundTripPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 400)
    void everySpecRoundTripsThroughJsonAndThroughTheModelItBuilds(
            @ForAll @IntRange(min = 1, max = 12) int input,
            @ForAll @IntRange(min = 1, max = 48) int concepts,
            @ForAll @IntRange(min = 0, max = 999) int kindIndex,
            @ForAll long seed)
            throws Exception {
        Random r = new Random(seed);
        // identity is the pursuits' own encoder, not one a config chooses
        EncoderKind[] kinds = java.util.Arrays.stream(EncoderKind.values())
                .filter(e -> e != EncoderKind.IDENTITY)
                .toArray(EncoderKind[]::new);
        SaeConfig sae = new SaeConfig(
                input,
                concepts,
                pick(r, kinds),
                new DictionaryConfig(pick(r, Normalization.values()), r.nextBoolean()),
                pick(r, DType.values()),
                seed);
        List<VariantKind> variants = VariantSpec.kinds();
        VariantKind kind = variants.get(kindIndex % variants.size());
        ModelSpec spec;
        try {
            spec = new ModelSpec(
                    sae, randomSettings(kind, concepts, r), dictionary(r, concepts), encoder(r), coder(r, input));
        } catch (IllegalArgumentException e) {
            Assume.that(false); // a layout this variant does not take (checked by its own tests)
            return;
        }
        String text = JSON.writeValueAsString(ModelSpecJson.toJson(spec));
        assertEquals(spec, ModelSpecJson.fromJson(JSON.readTree(text)), text);
        assertEquals(spec, spec.build().spec(), "the model keeps the spec it was built from");
    }

    @Property(tries = 60)
    void everyKindsDefaultsAreAValidSpecThatRoundTrips(
            @ForAll @IntRange(min = 1, max = 20) int input, @ForAll @IntRange(min = 1, max = 5000) int concepts)
            throws Exception {
        for (VariantKind kind : VariantSpec.kinds()) {
            ModelSpec spec = ModelSpec.defaults(SaeConfig.of(input, concepts), kind);
            assertEquals(kind, spec.variant().kind());
            assertEquals(
                    spec, ModelSpecJson.fromJson(JSON.readTree(JSON.writeValueAsString(ModelSpecJson.toJson(spec)))));
        }
    }

    /** Mostly autoencoders; a transcoder or a crosscoder (over a divisor of the width) one time in three each. */
    private static CoderSpec coder(Random r, int input) {
        return switch (r.nextInt(3)) {
            case 0 -> new CoderSpec.Transcoder(1 + r.nextInt(12), r.nextBoolean());
            case 1 -> {
                int layers = 1 + r.nextInt(4);
                yield input % layers == 0
                        ? new CoderSpec.Crosscoder(layers, pick(r, CodeNormalization.values()))
                        : new CoderSpec.Autoencoder();
            }
            default -> new CoderSpec.Autoencoder();
        };
    }

    /** Settings in range for {@code concepts}; a kind this test does not know yet gets its defaults. */
    private static VariantSpec randomSettings(VariantKind kind, int concepts, Random r) {
        int k = 1 + r.nextInt(concepts);
        BatchK batchK = r.nextBoolean() ? new BatchK.PerSample(k) : new BatchK.PerBatch(1 + r.nextInt(5000));
        Double dropout = r.nextBoolean() ? null : r.nextDouble() * 0.99;
        return switch (kind.name()) {
            case "vanilla" -> new VanillaSpec();
            case "topk" -> new TopKSpec(k);
            case "batchtopk" -> new BatchTopKSpec(batchK, r.nextDouble() * 0.999);
            case "jumprelu" -> new JumpReluSpec(pick(r, JumpKernel.values()), (float) Math.exp(-12 * r.nextDouble()));
            case "mp" -> new MpSpec(1 + r.nextInt(3 * concepts), dropout);
            case "omp" -> new OmpSpec(k, 1 + r.nextInt(40), dropout);
            case "msae" ->
                new MsaeSpec(
                        distinct(r, concepts, 1 + r.nextInt(Math.min(4, concepts))),
                        r.nextBoolean() ? 0 : 100 * r.nextDouble());
            case "matryoshka" ->
                new PrefixMatryoshkaSpec(
                        distinct(r, concepts, r.nextInt(Math.min(4, concepts) + 1)), batchK, r.nextDouble() * 0.999);
            default -> kind.defaults().apply(SaeConfig.of(1, concepts));
        };
    }

    private static List<Integer> distinct(Random r, int bound, int count) {
        List<Integer> all = new ArrayList<>();
        for (int i = 1; i <= bound; i++) {
            all.add(i);
        }
        java.util.Collections.shuffle(all, r);
        return all.subList(0, count);
    }

    private static DictionarySpec dictionary(Random r, int concepts) {
        return switch (r.nextInt(3)) {
            case 0 -> new DictionarySpec.Standard();
            case 1 -> new DictionarySpec.Archetypal(concepts + r.nextInt(8), 0.1 + r.nextDouble(), r.nextBoolean());
            default -> new DictionarySpec.Plain();
        };
    }

    private static EncoderSpec encoder(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> new EncoderSpec.Standard();
            case 1 -> new EncoderSpec.Tied(r.nextBoolean());
            case 2 -> new EncoderSpec.Untied(r.nextBoolean());
            default -> new EncoderSpec.SaeLens(r.nextBoolean());
        };
    }

    private static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }
}
