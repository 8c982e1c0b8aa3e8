package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
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
import dev.saekit.tensor.DType;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ModelSpecJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SaeConfig SAE = new SaeConfig(
            12, 40, EncoderKind.MLP_LN_1, new DictionaryConfig(Normalization.MAX_L1, true), DType.FLOAT64, 7);

    static Stream<ModelSpec> specs() {
        return Stream.of(
                ModelSpec.of(SAE, new VanillaSpec()),
                new ModelSpec(SAE, new TopKSpec(5), new DictionarySpec.Standard(), new EncoderSpec.Tied(true)),
                new ModelSpec(
                        SAE,
                        new BatchTopKSpec(new BatchTopKSae.BatchK.PerBatch(300), 0.95),
                        new DictionarySpec.Archetypal(64, 0.5, false),
                        new EncoderSpec.Untied(false)),
                ModelSpec.of(SAE, new JumpReluSpec(JumpKernel.CAUCHY, 1e-3f)),
                ModelSpec.of(SAE, new MpSpec(4, 0.25)),
                ModelSpec.of(SAE, new OmpSpec(3, 12, null)),
                ModelSpec.of(SAE, new MsaeSpec(List.of(4, 8, 16), 0.0)),
                new ModelSpec(
                        SAE,
                        new PrefixMatryoshkaSpec(List.of(5, 10, 40), new BatchTopKSae.BatchK.PerSample(6), 0.9),
                        new DictionarySpec.Plain(),
                        new EncoderSpec.SaeLens(false)));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void everySpecRoundTripsThroughJsonText(ModelSpec spec) throws Exception {
        String text = JSON.writeValueAsString(ModelSpecJson.toJson(spec));
        assertEquals(spec, ModelSpecJson.fromJson(JSON.readTree(text)));
    }

    @Test
    void aMissingOrMistypedFieldIsNamed() {
        ObjectNode n = ModelSpecJson.toJson(ModelSpec.of(SAE, new TopKSpec(5)));
        n.remove("nb_concepts");
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> ModelSpecJson.fromJson(n));
        assertTrue(missing.getMessage().contains("'nb_concepts'"), missing.getMessage());
        n.put("nb_concepts", "forty");
        IllegalArgumentException typed = assertThrows(IllegalArgumentException.class, () -> ModelSpecJson.fromJson(n));
        assertTrue(typed.getMessage().contains("must be an integer"), typed.getMessage());
        n.put("nb_concepts", 40);
        ((ObjectNode) n.get("variant")).put("name", "sparse");
        IllegalArgumentException variant =
                assertThrows(IllegalArgumentException.class, () -> ModelSpecJson.fromJson(n));
        assertTrue(variant.getMessage().contains("accepted"), variant.getMessage());
    }
}
