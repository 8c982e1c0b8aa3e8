package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ModelSpec#parameterShapes()} lists exactly what {@link ModelSpec#build()} allocates, for every kind of spec. */
class ParameterShapesTest {

    static Stream<ModelSpec> everyKindOfSpec() {
        List<VariantSpec> variants = List.of(
                new VanillaSpec(),
                new TopKSpec(2),
                new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(2), 0.9),
                new JumpReluSpec(JumpKernel.SILVERMAN, 1e-3f),
                new MpSpec(2, null),
                new MpSpec(2, 0.2),
                new OmpSpec(2, 5, null),
                new OmpSpec(2, 5, 0.1),
                new PrefixMatryoshkaSpec(List.of(3), new BatchTopKSae.BatchK.PerSample(2), 0.9));
        List<ModelSpec> specs = new ArrayList<>();
        for (DType dtype : DType.values()) {
            for (EncoderKind kind : List.of(
                    EncoderKind.LINEAR,
                    EncoderKind.MLP_LN_1,
                    EncoderKind.MLP_LN_3,
                    EncoderKind.MLP_BN_1,
                    EncoderKind.MLP_BN_3)) {
                for (boolean multiplier : new boolean[] {false, true}) {
                    SaeConfig sae =
                            new SaeConfig(7, 11, kind, new DictionaryConfig(Normalization.L2, multiplier), dtype, 3);
                    for (VariantSpec v : variants) {
                        specs.add(ModelSpec.of(sae, v));
                        specs.add(new ModelSpec(
                                sae,
                                v,
                                new DictionarySpec.Archetypal(13, 1.0, multiplier),
                                new EncoderSpec.Standard()));
                        if (kind == EncoderKind.LINEAR && !(v instanceof MpSpec) && !(v instanceof OmpSpec)) {
                            for (boolean bias : new boolean[] {false, true}) {
                                specs.add(new ModelSpec(
                                        sae, v, new DictionarySpec.Standard(), new EncoderSpec.Tied(bias)));
                                specs.add(new ModelSpec(
                                        sae, v, new DictionarySpec.Standard(), new EncoderSpec.Untied(bias)));
                                specs.add(new ModelSpec(
                                        sae, v, new DictionarySpec.Plain(), new EncoderSpec.SaeLens(bias)));
                                specs.add(ModelSpec.coder(sae, v, new CoderSpec.Transcoder(5, bias)));
                            }
                            specs.add(ModelSpec.coder(sae.withInputDim(8), v, CoderSpec.Crosscoder.of(2)));
                        }
                    }
                    specs.add(ModelSpec.of(sae, new MsaeSpec(List.of(2, 4), 30)));
                }
            }
        }
        return specs.stream();
    }

    @ParameterizedTest
    @MethodSource("everyKindOfSpec")
    void theShapesAreThoseOfTheBuiltModel(ModelSpec spec) {
        List<ParameterShape> built = new ArrayList<>();
        for (Parameter p : spec.build().parameters()) {
            built.add(new ParameterShape(
                    p.name(), p.value().shape(), p.value().dataType().width(), p.isTrainable()));
        }
        assertEquals(built, spec.parameterShapes());
    }
}
