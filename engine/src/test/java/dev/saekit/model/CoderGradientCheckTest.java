package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.CoderLosses;
import dev.saekit.train.DictionaryLearningAuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.LossSpec;
import dev.saekit.train.Losses;
import dev.saekit.train.MatryoshkaLoss;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward passes of transcoders, skip transcoders and crosscoders against central finite
 * differences in float64 ({@link GradientCheck}): every sparsity rule the coders take (TopK,
 * BatchTopK, JumpReLU, ReLU with an L1 penalty, the prefix Matryoshka), the losses they train with
 * (MSE, sparsify's FVU, the crosscoder paper's per-layer error and decoder-weighted L1) and
 * dictionary_learning's AuxK. JumpReLU's thresholds take a kernel pseudo-derivative, checked on
 * their own elsewhere ({@link JumpGradientCheckTest}); here every other parameter is.
 */
class CoderGradientCheckTest {
    private static final int IN = 5;
    private static final int OUT = 4;
    private static final int CONCEPTS = 10;
    private static final int LAYERS = 2;
    private static final int LAYER_WIDTH = 3;

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("topk", new TopKSpec(3)),
                Arguments.of("batchtopk", new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(3), 0.9)),
                Arguments.of("jumprelu", JumpReluSpec.KIND.defaults().apply(SaeConfig.of(IN, CONCEPTS))),
                Arguments.of("relu", new VanillaSpec()),
                Arguments.of(
                        "matryoshka",
                        new PrefixMatryoshkaSpec(List.of(3, 6), new BatchTopKSae.BatchK.PerSample(3), 0.9)));
    }

    @ParameterizedTest(name = "{0} transcoder, skip path {2}")
    @MethodSource("transcoderCases")
    void transcoderGradientsMatchFiniteDifferences(String name, VariantSpec variant, boolean skip) {
        SparseAutoencoder m = coder(variant, IN, new CoderSpec.Transcoder(OUT, skip), 71);
        INDArray rows = rows(IN + OUT, 72);
        // sparsify trains its skip transcoders on the FVU; the plain ones here on the MSE: each loss is checked
        Loss reconstruction = skip ? new CoderLosses.Fvu() : Losses.mse();
        VariantGradientCheckTest.check(m, rows, lossFor(variant, reconstruction), Set.of(JumpSae.THRESHOLDS));
    }

    static Stream<Arguments> transcoderCases() {
        return variants()
                .flatMap(a -> Stream.of(
                        Arguments.of(a.get()[0], a.get()[1], true), Arguments.of(a.get()[0], a.get()[1], false)));
    }

    @ParameterizedTest(name = "{0} crosscoder")
    @MethodSource("variants")
    void crosscoderGradientsMatchFiniteDifferences(String name, VariantSpec variant) {
        SparseAutoencoder m = coder(variant, LAYERS * LAYER_WIDTH, CoderSpec.Crosscoder.of(LAYERS), 73);
        INDArray rows = rows(LAYERS * LAYER_WIDTH, 74);
        VariantGradientCheckTest.check(
                m, rows, lossFor(variant, new CoderLosses.LayerL2(LAYERS)), Set.of(JumpSae.THRESHOLDS));
    }

    @ParameterizedTest(name = "decoder-weighted L1, {0}")
    @MethodSource("normalizations")
    void theWeightedL1ReachesTheDictionaryThroughItsNorms(CodeNormalization normalization) {
        SparseAutoencoder m =
                coder(new VanillaSpec(), LAYERS * LAYER_WIDTH, new CoderSpec.Crosscoder(LAYERS, normalization), 75);
        INDArray rows = rows(LAYERS * LAYER_WIDTH, 76);
        Loss loss = new CoderLosses.LayerL2(LAYERS).plus(new CoderLosses.WeightedL1(0.3, LAYERS, normalization));
        VariantGradientCheckTest.check(m, rows, loss, Set.of());
    }

    static Stream<CodeNormalization> normalizations() {
        return Stream.of(CodeNormalization.values());
    }

    @Test
    void dictionaryLearningsAuxKReachesEncoderAndDictionaryButNotTheDecoderBias() {
        SparseAutoencoder m = coder(
                new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(2), 0.999),
                LAYERS * LAYER_WIDTH,
                CoderSpec.Crosscoder.of(LAYERS),
                77);
        INDArray rows = rows(LAYERS * LAYER_WIDTH, 78);
        INDArray frozen = m.forward(rows).reconstruction().dup();
        long[] before = new long[CONCEPTS];
        for (int j : new int[] {1, 4, 5, 8}) {
            before[j] = 100; // dead at a threshold of 50 rows, unless this batch fires them
        }
        Loss auxK = new Loss() {
            @Override
            public LossSpec spec() {
                return new LossSpec.Custom("auxk_dl_frozen_residual");
            }

            @Override
            public double evaluate(INDArray y, SaeOutput out, INDArray d, LossGradients g) {
                // a fresh term with the same counter each time: every evaluation sees the same dead latents
                DictionaryLearningAuxKLoss term =
                        new DictionaryLearningAuxKLoss(0.5, 2, 50, LAYERS, CodeNormalization.CROSSCODER);
                term.setTokensSinceFired(before);
                SaeOutput withFrozen = new SaeOutput(
                        out.preCodes(), out.codes(), frozen, out.nested(), out.sparseCodes(), out.decoderBias());
                return term.evaluate(y, withFrozen, d, g);
            }
        };
        GradientReport report =
                GradientCheck.check(m, auxK, rows, p -> !p.name().equals("b_dec"));
        assertTrue(report.agrees(), report::describe);
        m.zeroGrad();
        SaeOutput out = m.forward(rows);
        LossGradients grads = new LossGradients(DType.FLOAT64);
        grads.reset(out);
        double value = auxK.evaluate(rows, out, m.getDictionary(), grads);
        assertTrue(value > 0, "the dead latents explain part of the residual: the term is positive, was " + value);
        m.backward(grads.toOutputGradients());
        assertTrue(
                parameter(m, "b_dec").grad().amaxNumber().doubleValue() == 0,
                "the term decodes without the decoder bias, so the bias gets no gradient from it");
        assertTrue(parameter(m, "W_enc").grad().amaxNumber().doubleValue() > 0, "the kept codes train the encoder");
    }

    // ------------------------------------------------------------------ helpers

    /** The loss a variant trains with: the nested form for the Matryoshka, an L1 term for the ReLU coder. */
    private static Loss lossFor(VariantSpec variant, Loss reconstruction) {
        if (variant.nested()) {
            return MatryoshkaLoss.reverseWeighted(MatryoshkaLoss.Kind.MSE);
        }
        return variant.sparsityFromLoss() ? reconstruction.plus(Losses.l1(0.01)) : reconstruction;
    }

    /** A float64 coder with non-zero biases and skip weights, so every term of the backward pass is exercised. */
    static SparseAutoencoder coder(VariantSpec variant, int in, CoderSpec coder, long seed) {
        SparseAutoencoder m = ModelSpec.coder(Variants.config(in, CONCEPTS, DType.FLOAT64, seed), variant, coder)
                .build();
        SeededRandom rng = new SeededRandom(seed + 1000);
        for (Parameter p : m.parameters()) {
            if (p.isTrainable() && (p.name().startsWith("b_") || p.name().equals(ModelSpec.SKIP))) {
                p.assign(rng.normal(DType.FLOAT64, 0.2, p.shape()));
            }
        }
        if (m instanceof JumpSae) {
            Parameter t = parameter(m, JumpSae.THRESHOLDS);
            t.assign(Nd4j.valueArrayOf(t.shape(), Math.log(0.05))
                    .castTo(t.value().dataType()));
        }
        m.train();
        return m;
    }

    static INDArray rows(int width, long seed) {
        return new SeededRandom(seed).normal(DType.FLOAT64, 1.0, 8, width);
    }

    static Parameter parameter(SparseAutoencoder m, String name) {
        return m.parameters().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no parameter " + name + " in " + m));
    }
}
