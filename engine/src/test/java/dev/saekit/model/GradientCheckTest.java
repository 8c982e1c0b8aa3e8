package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
    private static final int INPUT = 4;
    private static final int CONCEPTS = 6;
    private static final int BATCH = 5;
    private static final DictionaryConfig TRAINED_MULTIPLIER = new DictionaryConfig(Normalization.IDENTITY, true);

    static Stream<Arguments> encoderKindsAndLosses() {
        List<Arguments> cases = new ArrayList<>();
        for (EncoderKind kind : List.of(EncoderKind.LINEAR, EncoderKind.MLP_LN_1, EncoderKind.MLP_LN_3,
                EncoderKind.MLP_BN_1, EncoderKind.MLP_BN_3)) {
            cases.add(Arguments.of(kind, "mse"));
            cases.add(Arguments.of(kind, "mse_l1"));
        }
        return cases.stream();
    }

    static Stream<Arguments> biasAndLoss() {
        return Stream.of(Arguments.of(false, "mse"), Arguments.of(false, "mse_l1"),
                Arguments.of(true, "mse"), Arguments.of(true, "mse_l1"));
    }

    @ParameterizedTest(name = "{0} encoder, {1} loss")
    @MethodSource("encoderKindsAndLosses")
    void everyEncoderKindBackpropagatesTheExactGradient(EncoderKind kind, String lossName) {
        Sae model = model(kind, TRAINED_MULTIPLIER, 11);
        assertExact(model, kind, loss(lossName), batchNormBiases(kind));
    }

    @ParameterizedTest(name = "tied, bias={0}, {1} loss")
    @MethodSource("biasAndLoss")
    void aTiedEncoderSendsItsGradientToTheSharedDictionary(boolean bias, String lossName) {
        Sae model = model(EncoderKind.LINEAR, TRAINED_MULTIPLIER, 12);
        model.tied(bias);
        assertExact(model, EncoderKind.LINEAR, loss(lossName), Set.of());
    }

    @ParameterizedTest(name = "untied copy, bias={0}, {1} loss")
    @MethodSource("biasAndLoss")
    void anUntiedCopyOfTheDictionaryHasItsOwnExactGradient(boolean bias, String lossName) {
        Sae model = model(EncoderKind.LINEAR, TRAINED_MULTIPLIER, 13);
        model.untied(bias, true);
        assertExact(model, EncoderKind.LINEAR, loss(lossName), Set.of());
    }

    @ParameterizedTest(name = "{0} encoder")
    @EnumSource(value = EncoderKind.class, names = {"LINEAR", "MLP_LN_1", "MLP_LN_3", "MLP_BN_1", "MLP_BN_3"})
    void aGradientEnteringThroughThePreCodesReachesEveryParameter(EncoderKind kind) {
        Sae model = model(kind, TRAINED_MULTIPLIER, 14);
        assertExact(model, kind, Losses.mse().plus(new PreCodesDot(21)), batchNormBiases(kind));
    }

    @Test
    void aGradientThroughThePreCodesOfATiedEncoderReachesTheDictionary() {
        Sae model = model(EncoderKind.LINEAR, TRAINED_MULTIPLIER, 15);
        model.tied(true);
        assertExact(model, EncoderKind.LINEAR, Losses.mseL1(0.1).plus(new PreCodesDot(22)), Set.of());
    }

    @Test
    void evaluationModeDifferentiatesTheFusedDictionaryAndTheRunningStatistics() {
        Sae model = model(EncoderKind.MLP_BN_3, TRAINED_MULTIPLIER, 16);
        SeededRandom rng = new SeededRandom(99);
        for (int i = 0; i < 3; i++) { // move the running statistics away from (0, 1)
            model.forward(rng.normal(DType.FLOAT64, 2.0, 8, INPUT).addi(0.5));
        }
        model.eval();
        // in eval the biases before BatchNorm matter: no parameter has a zero gradient
        assertExact(model, EncoderKind.MLP_BN_3, Losses.mseL1(0.05).plus(new PreCodesDot(23)), Set.of());
    }

    @Test
    void encoderGradientsAreExactUnderTheDefaultL2Dictionary() {
        Sae model = model(EncoderKind.MLP_LN_1, DictionaryConfig.defaults(), 17);
        INDArray x = kinkFreeData(model, EncoderKind.MLP_LN_1);
        GradientCheck.Report report = GradientCheck.check(model, Losses.mseL1(0.1), x,
                p -> !p.name().equals(DictionaryLayer.WEIGHTS));
        assertTrue(report.worstError() < GradientCheck.TOLERANCE, report.worstEntry());
    }

    @Test
    void theCheckCatchesAWrongGradient() {
        // a loss that reports twice its true codes gradient must fail the check
        Sae model = model(EncoderKind.LINEAR, TRAINED_MULTIPLIER, 18);
        INDArray x = kinkFreeData(model, EncoderKind.LINEAR);
        Loss wrong = new Loss() {
            @Override
            public String name() {
                return "wrong";
            }

            @Override
            public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
                grads.codes().addi(2.0);
                return output.codes().sumNumber().doubleValue();
            }
        };
        GradientCheck.Report report = GradientCheck.check(model, wrong, x);
        assertTrue(report.worstError() > 0.1, report.worstEntry());
    }

    // ---------------------------------------------------------------- fixtures

    private static void assertExact(Sae model, EncoderKind kind, Loss loss, Set<String> expectedZero) {
        INDArray x = kinkFreeData(model, kind);
        GradientCheck.Report report = GradientCheck.check(model, loss, x);
        assertTrue(report.worstError() < GradientCheck.TOLERANCE,
                "worst relative error " + report.worstError() + " at " + report.worstEntry());
        assertTrue(report.entriesChecked() >= CONCEPTS * INPUT + 1, "checked only " + report.entriesChecked() + " entries");
        assertEquals(expectedZero, report.zeroGradients(), "parameters whose gradient is zero everywhere");
    }

    private static Sae model(EncoderKind kind, DictionaryConfig dictionary, long seed) {
        return Sae.create(new SaeConfig(INPUT, CONCEPTS, kind, dictionary, DType.FLOAT64, seed));
    }

    /**
     * Randomises the constant-initialised parameters (norm affines, biases at zero, the
     * multiplier), so that a missing factor cannot hide behind a 1 or a 0.
     */
    private static void jitterConstants(Sae model, SeededRandom rng) {
        for (Parameter p : model.parameters()) {
            INDArray v = p.value();
            if (p.isTrainable() && v.minNumber().doubleValue() == v.maxNumber().doubleValue()) {
                p.assign(v.add(rng.uniform(DType.FLOAT64, -0.5, 0.5, v.shape())));
            }
        }
    }

    /** Random inputs for which no ReLU input lies within {@link GradientCheck#KINK_MARGIN} of zero. */
    private static INDArray kinkFreeData(Sae model, EncoderKind kind) {
        jitterConstants(model, new SeededRandom(model.config().seed() + 1000));
        for (long seed = 0; seed < 50; seed++) {
            INDArray x = new SeededRandom(seed).normal(DType.FLOAT64, 1.0, BATCH, INPUT);
            if (GradientCheck.closestReluInputToZero(model, kind, x) > GradientCheck.KINK_MARGIN) {
                return x;
            }
        }
        fail("no data seed keeps every ReLU input away from 0");
        return null;
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

    /** {@code sum(z_pre * c)} for a fixed random {@code c}: a loss term on the pre-codes. */
    private static final class PreCodesDot implements Loss {
        private final INDArray c;

        PreCodesDot(long seed) {
            this.c = new SeededRandom(seed).normal(DType.FLOAT64, 1.0, BATCH, CONCEPTS);
        }

        @Override
        public String name() {
            return "pre_codes_dot";
        }

        @Override
        public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
            grads.preCodes().addi(c);
            return output.preCodes().mul(c).sumNumber().doubleValue();
        }
    }
}
