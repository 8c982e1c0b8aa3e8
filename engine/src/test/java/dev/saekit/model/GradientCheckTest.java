package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Loss;
import dev.saekit.train.Losses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite-difference checks of every hand-written backward pass, in float64: every encoder kind,
 * tied and untied encoders, the dictionary with a trained multiplier, both built-in losses, a
 * gradient entering through the pre-codes, and evaluation mode.
 *
 * <p>The dictionary uses {@link Normalization#IDENTITY}: in training every fetch projects the raw
 * weights in place and the documented gradient ignores that projection (no Jacobian), so only
 * without a projection is {@code dL/dW} the true derivative (SEMANTICS.md, "Dictionary").
 */
class GradientCheckTest {
    private static final int INPUT = GradientFixtures.INPUT;
    private static final int CONCEPTS = GradientFixtures.CONCEPTS;
    private static final DictionaryConfig TRAINED_MULTIPLIER = GradientFixtures.TRAINED_MULTIPLIER;

    static Stream<Arguments> encoderKindsAndLosses() {
        List<Arguments> cases = new ArrayList<>();
        for (EncoderKind kind : List.of(
                EncoderKind.LINEAR,
                EncoderKind.MLP_LN_1,
                EncoderKind.MLP_LN_3,
                EncoderKind.MLP_BN_1,
                EncoderKind.MLP_BN_3)) {
            cases.add(Arguments.of(kind, "mse"));
            cases.add(Arguments.of(kind, "mse_l1"));
        }
        return cases.stream();
    }

    static Stream<Arguments> biasAndLoss() {
        return Stream.of(
                Arguments.of(false, "mse"),
                Arguments.of(false, "mse_l1"),
                Arguments.of(true, "mse"),
                Arguments.of(true, "mse_l1"));
    }

    @ParameterizedTest(name = "{0} encoder, {1} loss")
    @MethodSource("encoderKindsAndLosses")
    void everyEncoderKindBackpropagatesTheExactGradient(EncoderKind kind, String lossName) {
        Sae model = GradientFixtures.model(kind, TRAINED_MULTIPLIER, 11);
        assertExact(model, kind, loss(lossName), batchNormBiases(kind));
    }

    @ParameterizedTest(name = "tied, bias={0}, {1} loss")
    @MethodSource("biasAndLoss")
    void aTiedEncoderSendsItsGradientToTheSharedDictionary(boolean bias, String lossName) {
        Sae model = (Sae) TestModels.withEncoder(
                GradientFixtures.model(EncoderKind.LINEAR, TRAINED_MULTIPLIER, 12),
                new ModelSpec.EncoderSpec.Tied(bias));
        assertExact(model, EncoderKind.LINEAR, loss(lossName), Set.of());
    }

    @ParameterizedTest(name = "untied copy, bias={0}, {1} loss")
    @MethodSource("biasAndLoss")
    void anUntiedCopyOfTheDictionaryHasItsOwnExactGradient(boolean bias, String lossName) {
        Sae model = (Sae) TestModels.withEncoder(
                GradientFixtures.model(EncoderKind.LINEAR, TRAINED_MULTIPLIER, 13),
                new ModelSpec.EncoderSpec.Untied(bias));
        assertExact(model, EncoderKind.LINEAR, loss(lossName), Set.of());
    }

    @ParameterizedTest(name = "{0} encoder")
    @EnumSource(
            value = EncoderKind.class,
            names = {"LINEAR", "MLP_LN_1", "MLP_LN_3", "MLP_BN_1", "MLP_BN_3"})
    void aGradientEnteringThroughThePreCodesReachesEveryParameter(EncoderKind kind) {
        Sae model = GradientFixtures.model(kind, TRAINED_MULTIPLIER, 14);
        assertExact(model, kind, Losses.mse().plus(new GradientFixtures.PreCodesDot(21)), batchNormBiases(kind));
    }

    @Test
    void aGradientThroughThePreCodesOfATiedEncoderReachesTheDictionary() {
        Sae model = (Sae) TestModels.withEncoder(
                GradientFixtures.model(EncoderKind.LINEAR, TRAINED_MULTIPLIER, 15),
                new ModelSpec.EncoderSpec.Tied(true));
        assertExact(model, EncoderKind.LINEAR, Losses.mseL1(0.1).plus(new GradientFixtures.PreCodesDot(22)), Set.of());
    }

    @Test
    void evaluationModeDifferentiatesTheFusedDictionaryAndTheRunningStatistics() {
        Sae model = GradientFixtures.model(EncoderKind.MLP_BN_3, TRAINED_MULTIPLIER, 16);
        SeededRandom rng = new SeededRandom(99);
        for (int i = 0; i < 3; i++) { // move the running statistics away from (0, 1)
            model.forward(rng.normal(DType.FLOAT64, 2.0, 8, INPUT).addi(0.5));
        }
        model.eval();
        // in eval the biases before BatchNorm matter: no parameter has a zero gradient
        assertExact(
                model, EncoderKind.MLP_BN_3, Losses.mseL1(0.05).plus(new GradientFixtures.PreCodesDot(23)), Set.of());
    }

    @Test
    void encoderGradientsAreExactUnderTheDefaultL2Dictionary() {
        Sae model = GradientFixtures.model(EncoderKind.MLP_LN_1, DictionaryConfig.defaults(), 17);
        INDArray x = GradientFixtures.kinkFreeData(model, EncoderKind.MLP_LN_1);
        GradientReport report =
                GradientCheck.check(model, Losses.mseL1(0.1), x, p -> !p.name().equals(DictionaryLayer.WEIGHTS));
        assertTrue(report.agrees(), report::describe);
    }

    // ---------------------------------------------------------------- fixtures

    /**
     * Every checked entry agrees with its finite difference, every parameter but {@code expectedZero}
     * carries a gradient, and those in {@code expectedZero} (biases before a training BatchNorm) have
     * a gradient that is zero by construction: checked analytically, see {@link BatchNormBiasCheck}.
     */
    private static void assertExact(Sae model, EncoderKind kind, Loss loss, Set<String> expectedZero) {
        INDArray x = GradientFixtures.kinkFreeData(model, kind);
        GradientReport report = GradientCheck.check(model, loss, x);
        assertTrue(report.agrees(), report::describe);
        assertTrue(
                report.entriesChecked() >= CONCEPTS * INPUT + 1,
                "checked only " + report.entriesChecked() + " entries");
        assertEquals(
                expectedZero,
                report.withoutGradient(),
                "parameters whose gradient does not stand out of the" + " finite-difference noise");
        if (!expectedZero.isEmpty()) {
            Map<String, double[]> bounds = BatchNormBiasCheck.roundingBounds(model, kind, loss, x);
            assertEquals(expectedZero, bounds.keySet(), "the biases that feed a BatchNorm");
            Map<String, double[]> analytic = new LinkedHashMap<>();
            expectedZero.forEach(name ->
                    analytic.put(name, report.parameter(name).orElseThrow().analytic()));
            assertEquals(List.of(), BatchNormBiasCheck.notZero(analytic, bounds));
        }
    }

    /** In training, BatchNorm subtracts the batch mean: the bias of the Linear layer before it has no effect. */
    private static Set<String> batchNormBiases(EncoderKind kind) {
        Set<String> names = new LinkedHashSet<>();
        if (kind.norm() == EncoderKind.NormKind.BATCH) {
            for (int b = 0; b < kind.blocks() - 1; b++) {
                names.add("encoder.mlp_blocks." + b + ".0.bias");
            }
            names.add("encoder.final_block.0.bias");
        }
        return names;
    }

    private static Loss loss(String name) {
        return Losses.parse(name, 0.1);
    }
}
