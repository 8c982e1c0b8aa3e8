package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.LossSpec;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AuxK's gradients through real models, against central finite differences in float64: its decode
 * of the dead latents reaches the encoder (through the kept pre-codes), the dictionary and the
 * decoder bias, on the sparse path of TopK and BatchTopK and the dense path of the others. AuxK
 * takes the residual {@code x - x_hat} as a constant, so the check freezes it at its current value.
 */
class AuxKGradientCheckTest {
    private static final int INPUT = 5;
    private static final int CONCEPTS = 10;
    /** Concepts 0, 3, 4, 7 and 9 never fired in the last window. */
    private static final int[] DEAD = {0, 3, 4, 7, 9};

    static Stream<Arguments> modelsWithADecoderBias() {
        return Stream.of(
                        new TopKSpec(2),
                        new VanillaSpec(),
                        new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(2), 0.9))
                .flatMap(v -> Stream.of(Arguments.of(v, true), Arguments.of(v, false)));
    }

    @ParameterizedTest(name = "{0}, SAELens layout, b_dec subtracted from the input: {1}")
    @MethodSource("modelsWithADecoderBias")
    void theSaeLensTermReachesEncoderDictionaryAndDecoderBias(VariantSpec variant, boolean subtract) {
        SparseAutoencoder m = new ModelSpec(
                        Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 51),
                        variant,
                        new ModelSpec.DictionarySpec.Plain(),
                        new ModelSpec.EncoderSpec.SaeLens(subtract))
                .build();
        randomiseBiases(m, 52);
        INDArray x = new SeededRandom(53).normal(DType.FLOAT64, 1.0, 8, INPUT);
        AuxKLoss auxK = new AuxKLoss(deadTracker(), 3, 0.5, AuxKLoss.Flavor.SAELENS);
        VariantGradientCheckTest.check(m, x, frozenResidual(m, x, auxK), Set.of());
        assertTrue(anyNonZero(auxOnlyGradient(m, x, auxK, "b_dec")), "the decode's bias gets a gradient");
    }

    @Test
    void onTheDefaultLayoutTheTermReachesEncoderAndDictionary() {
        SparseAutoencoder m =
                TestModels.topK(Variants.unprojected(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 54)), 2);
        INDArray x = new SeededRandom(55).normal(DType.FLOAT64, 1.0, 8, INPUT);
        VariantGradientCheckTest.check(m, x, frozenResidual(m, x, new AuxKLoss(deadTracker(), 2, 0.5)), Set.of());
    }

    @Test
    void theMsaeMatryoshkaDecodesWithItsPreBias() {
        SparseAutoencoder m = TestModels.msae(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 56), List.of(2, 4), 2.0);
        randomiseBiases(m, 57);
        INDArray x = new SeededRandom(58).normal(DType.FLOAT64, 1.0, 8, INPUT);
        VariantGradientCheckTest.check(m, x, frozenResidual(m, x, new AuxKLoss(deadTracker(), 3, 0.5)), Set.of());
    }

    @Test
    void sparsifysTermTrainsTheDictionaryAndTheDecoderBiasButNotTheEncoder() {
        SparseAutoencoder m = new ModelSpec(
                        Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 59),
                        new TopKSpec(2),
                        new ModelSpec.DictionarySpec.Plain(),
                        new ModelSpec.EncoderSpec.SaeLens(false))
                .build();
        randomiseBiases(m, 60);
        INDArray x = new SeededRandom(61).normal(DType.FLOAT64, 1.0, 8, INPUT);
        AuxKLoss auxK = new AuxKLoss(deadTracker(), 3, 0.5, AuxKLoss.Flavor.SPARSIFY);
        // by design no gradient reaches the encoder, although the kept values depend on it
        VariantGradientCheckTest.check(m, x, frozenResidual(m, x, auxK), Set.of("W_enc", "b_enc"));
        for (String encoderParameter : List.of("W_enc", "b_enc")) {
            assertTrue(
                    !anyNonZero(auxOnlyGradient(m, x, auxK, encoderParameter)),
                    encoderParameter + " learns nothing from it");
        }
        assertTrue(anyNonZero(auxOnlyGradient(m, x, auxK, "W_dec")));
    }

    @Test
    void theScaleComesFromTheDeadCountBeforeKAuxIsClamped() {
        assertEquals(10.0 / 384, AuxKLoss.scale(10, 768 / 2), 0.0); // 0.026: the term is weak with few dead latents
        assertEquals(1.0, AuxKLoss.scale(500, 384), 0.0);
        assertEquals(3.0 / 5, AuxKLoss.scale(3, 5), 0.0);
    }

    @Test
    void sparsifysValueIsTheSummedSquaresOverTheTotalVariance() {
        SparseAutoencoder m = TestModels.topK(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 62), 2);
        INDArray x = new SeededRandom(63).normal(DType.FLOAT64, 1.0, 8, INPUT);
        SaeOutput out = m.forward(x);
        INDArray d = m.getDictionary();
        double saeLens =
                new AuxKLoss(deadTracker(), 3, 1.0, AuxKLoss.Flavor.SAELENS).evaluate(x, out, d, grads(m, out));
        // sparsify's definition from scratch: per row the 3 largest ReLU'd dead pre-codes, summed squares / total
        // variance
        INDArray pre = out.preCodes();
        INDArray acts = Nd4j.zeros(pre.dataType(), pre.shape());
        for (int r = 0; r < pre.rows(); r++) {
            double[] vals = new double[DEAD.length];
            for (int i = 0; i < DEAD.length; i++) {
                vals[i] = Math.max(pre.getDouble(r, DEAD[i]), 0.0);
            }
            Integer[] order = {0, 1, 2, 3, 4};
            java.util.Arrays.sort(
                    order, (a, b) -> vals[a] != vals[b] ? Double.compare(vals[b], vals[a]) : Integer.compare(a, b));
            for (int i = 0; i < 3; i++) {
                acts.putScalar(r, DEAD[order[i]], vals[order[i]]);
            }
        }
        INDArray diff = acts.mmul(d).subi(x.sub(out.reconstruction()));
        INDArray centred = x.subRowVector(x.mean(0));
        double totalVariance = centred.mul(centred).sumNumber().doubleValue();
        double expected = AuxKLoss.scale(DEAD.length, 3)
                * diff.mul(diff).sumNumber().doubleValue()
                / totalVariance; // 5 dead, kAux 3: scale 1
        double actual =
                new AuxKLoss(deadTracker(), 3, 1.0, AuxKLoss.Flavor.SPARSIFY).evaluate(x, out, d, grads(m, out));
        assertEquals(
                expected, actual, expected * 200 * Math.ulp(1.0)); // two sums of 40 float64 terms, in another order
        assertTrue(saeLens != actual, "the two flavours differ");
    }

    // ---------------------------------------------------------------- fixtures

    /** A tracker whose last window left {@link #DEAD} dead. */
    static DeadCodeTracker deadTracker() {
        long[] flags = new long[CONCEPTS];
        for (int j : DEAD) {
            flags[j] = 1;
        }
        DeadCodeTracker t = new DeadCodeTracker();
        t.restoreState(Map.of(
                "last_dead", Nd4j.createFromArray(flags), "steps_in_window", Nd4j.createFromArray(new long[] {0})));
        return t;
    }

    /** {@code auxK} with the residual frozen at the model's current reconstruction of {@code x}. */
    private static Loss frozenResidual(SparseAutoencoder m, INDArray x, AuxKLoss auxK) {
        INDArray frozen = m.forward(x).reconstruction().dup();
        return new Loss() {
            @Override
            public LossSpec spec() {
                return new LossSpec.Custom("auxk_frozen_residual");
            }

            @Override
            public double evaluate(INDArray in, SaeOutput out, INDArray d, LossGradients g) {
                return auxK.evaluate(
                        in,
                        new SaeOutput(
                                out.preCodes(),
                                out.codes(),
                                frozen,
                                out.nested(),
                                out.sparseCodes(),
                                out.decoderBias()),
                        d,
                        g);
            }
        };
    }

    /** The gradient that the AuxK term alone sends into {@code parameter}. */
    private static INDArray auxOnlyGradient(SparseAutoencoder m, INDArray x, AuxKLoss auxK, String parameter) {
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = grads(m, out);
        auxK.evaluate(x, out, m.getDictionary(), g);
        m.backward(g.toOutputGradients());
        return m.parameter(parameter).orElseThrow().grad().dup();
    }

    private static LossGradients grads(SparseAutoencoder m, SaeOutput out) {
        LossGradients g = new LossGradients(m.dtype());
        g.reset(out);
        return g;
    }

    private static boolean anyNonZero(INDArray a) {
        return a.amaxNumber().doubleValue() > 0;
    }

    private static void randomiseBiases(SparseAutoencoder m, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        for (Parameter p : m.parameters()) {
            if (p.isTrainable() && p.name().matches("b_.*|.*bias.*")) {
                p.assign(rng.normal(DType.FLOAT64, 0.3, p.shape()));
            }
        }
    }
}
