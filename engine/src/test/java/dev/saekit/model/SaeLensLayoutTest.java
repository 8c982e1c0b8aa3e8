package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.Losses;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Models in the SAELens layout: W_enc [d, c], b_enc, W_dec [c, d], b_dec subtracted from x and added to x_hat. */
class SaeLensLayoutTest {

    private static ModelSpec spec(VariantSpec variant, boolean subtract) {
        return new ModelSpec(
                Variants.config(5, 9, DType.FLOAT64, 41),
                variant,
                new ModelSpec.DictionarySpec.Plain(),
                new ModelSpec.EncoderSpec.SaeLens(subtract));
    }

    private static SparseAutoencoder randomised(ModelSpec spec) {
        SparseAutoencoder m = spec.build();
        SeededRandom rng = new SeededRandom(42);
        for (Parameter p : m.parameters()) {
            if (p.name().startsWith("b_")) {
                p.assign(rng.normal(DType.FLOAT64, 0.3, p.shape()));
            }
        }
        return m;
    }

    @Test
    void forwardIsSaeLensFormula() {
        SparseAutoencoder m = randomised(spec(new VanillaSpec(), true));
        INDArray x = new SeededRandom(43).normal(DType.FLOAT64, 1.0, 4, 5);
        INDArray wEnc = m.parameter("W_enc").orElseThrow().value();
        INDArray bEnc = m.parameter("b_enc").orElseThrow().value();
        INDArray wDec = m.parameter("W_dec").orElseThrow().value();
        INDArray bDec = m.parameter("b_dec").orElseThrow().value();
        INDArray pre = x.subRowVector(bDec).mmul(wEnc).addiRowVector(bEnc);
        INDArray xHat = Transforms.relu(pre, true).mmul(wDec).addiRowVector(bDec);
        SaeOutput out = m.forward(x);
        // the same sums of products (5 inputs, then the concepts) in whatever order the kernels take;
        // the pre-codes' own rounding reaches the reconstruction through |W_dec|
        int concepts = (int) wDec.rows();
        double preTolerance = Tolerance.f64(
                Tolerance.productMagnitude(Transforms.abs(x.subRowVector(bDec), true), wEnc)
                        + bEnc.amaxNumber().doubleValue(),
                2 * (5 + 2));
        Tolerance.assertClose(pre, out.preCodes(), preTolerance, "pre-codes");
        double xHatTolerance = Tolerance.f64(
                        Tolerance.productMagnitude(Transforms.relu(pre, true), wDec)
                                + bDec.amaxNumber().doubleValue(),
                        2 * (concepts + 2))
                + preTolerance * Transforms.abs(wDec, true).sum(0).maxNumber().doubleValue();
        Tolerance.assertClose(xHat, out.reconstruction(), xHatTolerance, "reconstruction");
        assertEquals(
                List.of("W_enc", "b_enc", "W_dec", "b_dec").stream().sorted().toList(),
                m.parameters().stream().map(Parameter::name).sorted().toList(),
                "b_dec is listed once");
    }

    @ParameterizedTest(name = "subtract b_dec from the input: {0}")
    @ValueSource(booleans = {true, false})
    void gradientsOfTheSharedDecoderBiasMatchFiniteDifferences(boolean subtract) {
        for (VariantSpec v : List.of(
                new VanillaSpec(), new TopKSpec(3), new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(3), 0.9))) {
            SparseAutoencoder m = randomised(spec(v, subtract));
            VariantGradientCheckTest.check(
                    m, new SeededRandom(44).normal(DType.FLOAT64, 1.0, 6, 5), Losses.mseL1(0.01), Set.of());
        }
    }

    @Test
    void theSpecRoundTripsAndPairsTheLayoutWithAPlainDictionary() {
        ModelSpec s = spec(new JumpReluSpec(JumpKernel.SILVERMAN, 1e-3f), true);
        assertEquals(s, s.build().spec());
        assertThrows(
                IllegalArgumentException.class,
                () -> new ModelSpec(s.sae(), s.variant(), new ModelSpec.DictionarySpec.Standard(), s.encoder()));
    }
}
