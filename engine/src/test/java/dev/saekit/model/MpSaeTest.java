package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.Codes;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.encoder.IdentityEncoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-worked pursuits, dropout across modes, and the spec of matching pursuit ({@link MpSae}, {@link MpSpec}). */
class MpSaeTest {

    /**
     * d = 2, c = 3, no encoder; dictionary (identity normalisation) D = [[1,0],[0,1],[1,1]]: the
     * third atom is not unit-norm, so the pursuit's arithmetic stays in small integers.
     */
    private static MpSae fixture(int steps) {
        MpSae m = TestModels.mp(TestModels.handWorked(2, 3), steps, null);
        TestModels.set(m, "dictionary._weights", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1});
        return m;
    }

    /**
     * k = 2, x = [1, 2]. Step 1: c = x D^T = [1, 2, 3], j = 2, z_2 = 3, r = [1,2] - 3*[1,1] = [-2,-1].
     * Step 2: c = r D^T = [-2, -1, -3]; the signed argmax is atom 1 (-1), where an absolute one would
     * take atom 2 (|-3|) again: z_1 = -1 (codes can be negative), r = [-2,-1] + 1*[0,1] = [-2, 0].
     * Pre-codes are the final residual [-2, 0]; x_hat = z D = -1*[0,1] + 3*[1,1] = [3, 2] = x - r.
     */
    @Test
    void eachStepTakesTheLargestSignedCorrelationAndRemovesIt() {
        SaeOutput out = fixture(2).forward(Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}}));
        // small integers: exact in float64
        assertArrayEquals(new double[] {0, -1, 3}, out.codes().toDoubleVector(), 0);
        assertArrayEquals(new double[] {-2, 0}, out.preCodes().toDoubleVector(), 0);
        assertArrayEquals(new double[] {3, 2}, out.reconstruction().toDoubleVector(), 0);
    }

    /**
     * k = 1, x = [1, 2]: j = 2, s = x . D_2 = 3, z = [0,0,3], x_hat = s D_2 = [3,3]. MSE: x_hat - x =
     * [2,1], loss (4 + 1)/2 = 2.5, g = dL/dx_hat = 2 (x_hat - x)/2 = [2,1]. The gradient flows through
     * the pursuit as well as the decode: x_hat = (x . D_2) D_2, so dL/dD_2 = s g + (g . D_2) x =
     * 3*[2,1] + 3*[1,2] = [9,9] (the decode alone would give [6,3]); atoms 0 and 1 were not picked: 0.
     */
    @Test
    void theGradientFlowsThroughThePursuitAsWellAsTheDecode() {
        MpSae m = fixture(1);
        INDArray x = Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}});
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        assertEquals(2.5, Losses.mse().evaluate(x, out, m.getDictionary(), g), Tolerance.f64(5, 4));
        m.backward(g.toOutputGradients());
        INDArray gradD = m.parameter("dictionary._weights").orElseThrow().grad();
        assertArrayEquals(new double[] {0, 0, 0, 0, 9, 9}, gradD.dup('c').data().asDouble(), Tolerance.f64(9, 6));
    }

    /** x = [3, -5, 2, 0] over the l2-normalised standard basis: signed argmax picks 3 (atom 0), then 2 (atom 2); the -5 is never picked. */
    @Test
    void withTheL2ProjectionEachStepSeesAtomsJustBelowUnitNorm() {
        SaeConfig basis = new SaeConfig(
                4, 4, EncoderKind.IDENTITY, new DictionaryConfig(Normalization.L2, false), DType.FLOAT64, 0);
        MpSae m = TestModels.mp(basis, 2, null);
        m.parameter("dictionary._weights").orElseThrow().assign(Nd4j.eye(4).castTo(DType.FLOAT64.nd4j()));
        Codes c = m.encode(Tensors.matrix(DType.FLOAT64, new double[][] {{3, -5, 2, 0}}));
        // the l2 projection makes each atom e_j / (1 + 1e-8): code x_j s, residual x_j (1 - s^2), s = 1 / (1 + 1e-8)
        double s = 1 / (1 + Normalization.ROW_EPSILON);
        assertArrayEquals(new double[] {3 * s, 0, 2 * s, 0}, c.codes().toDoubleVector(), Tolerance.f64(5, 4));
        assertArrayEquals(
                new double[] {3 * (1 - s * s), -5, 2 * (1 - s * s), 0},
                c.preCodes().toDoubleVector(),
                Tolerance.f64(5, 6));
    }

    @Test
    void dropoutActsInTrainingOnlyAndComesBackAfterEval() {
        SaeConfig config = Variants.config(6, 40, DType.FLOAT64, 3);
        MpSae withDropout = TestModels.mp(config, 2, 0.5);
        MpSae without = TestModels.mp(config, 2, null);
        INDArray x = new SeededRandom(4).normal(DType.FLOAT64, 1.0, 16, 6);
        INDArray plain = without.forward(x).codes().dup();
        // a dropped atom changes the codes by the size of a code, not by a rounding
        double codeSize = plain.amaxNumber().doubleValue();
        assertTrue(
                Tolerance.maxDifference(plain, withDropout.forward(x).codes()) > codeSize / 10,
                "half the atoms are dropped in training");
        withDropout.eval();
        without.eval();
        Tolerance.assertIdentical(
                without.forward(x).codes().dup(), withDropout.forward(x).codes().dup(), "no dropout in eval");
        withDropout.train();
        without.train();
        assertTrue(
                Tolerance.maxDifference(
                                without.forward(x).codes().dup(),
                                withDropout.forward(x).codes())
                        > codeSize / 10,
                "dropout is back after train()");
    }

    @Test
    void loadingTheDropoutStateResumesTheSameMasks() {
        SaeConfig config = Variants.config(6, 30, DType.FLOAT64, 8);
        MpSae a = TestModels.mp(config, 2, 0.5);
        INDArray x = new SeededRandom(9).normal(DType.FLOAT64, 1.0, 5, 6);
        a.forward(x);
        MpSae b = TestModels.mp(config, 2, 0.5);
        for (dev.saekit.tensor.Parameter p : a.parameters()) {
            b.parameter(p.name()).orElseThrow().assign(p.value());
        }
        Tolerance.assertIdentical(
                a.forward(x).codes().dup(), b.forward(x).codes().dup(), "the next mask is the same after a load");
    }

    @Test
    void theDefaultsAreEightStepsWithoutDropout() {
        assertEquals(new MpSpec(8, null), MpSpec.KIND.defaults().apply(SaeConfig.of(8, 64)));
        // an atom may be picked more than once: the default does not shrink to the number of concepts
        assertEquals(new MpSpec(8, null), MpSpec.KIND.defaults().apply(TestModels.handWorked(2, 3)));
    }

    @Test
    void badStepsAndDropoutAreRejectedWithTheSettingNamed() {
        SpecChecks.rejects(() -> new MpSpec(0, null), "mp", "k", "0", ">= 1");
        SpecChecks.rejects(() -> new MpSpec(2, 1.0), "mp", "dropout", "1.0", "in [0, 1)");
        SpecChecks.rejects(() -> new MpSpec(2, -0.1), "mp", "dropout", "-0.1", "in [0, 1)");
        ModelSpec.of(TestModels.handWorked(2, 3), new MpSpec(5, 0.0)); // more steps than atoms: atoms are picked again
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ModelSpec(
                        TestModels.handWorked(2, 3),
                        new MpSpec(2, null),
                        new ModelSpec.DictionarySpec.Standard(),
                        new ModelSpec.EncoderSpec.Tied(false)));
        assertTrue(e.getMessage().startsWith("mp encodes with the dictionary itself"), e.getMessage());
    }

    @Test
    void theSpecRoundTripsThroughJsonWithDropoutOnAndOff() {
        ObjectNode on = SpecChecks.roundTrip(new MpSpec(4, 0.25));
        assertEquals(4, on.get("k").asInt());
        assertEquals(0.25, on.get("dropout").asDouble());
        ObjectNode off = SpecChecks.roundTrip(new MpSpec(3, null));
        assertTrue(off.get("dropout").isNull(), "no dropout is written as null: " + off);
        off.remove("dropout");
        assertEquals(new MpSpec(3, null), VariantSpec.fromJson(off, "variant"), "a missing dropout is none");
    }

    @Test
    void theModelKeepsItsSpecAndEncodesWithoutAnEncoder() {
        MpSpec settings = new MpSpec(2, null);
        ModelSpec spec = ModelSpec.of(TestModels.handWorked(2, 3), settings);
        MpSae m = (MpSae) spec.build();
        assertSame(spec, m.spec());
        assertEquals(2, m.k());
        assertNull(m.dropout());
        assertTrue(m.encoder() instanceof IdentityEncoder, "the config's linear encoder is not built: " + m.encoder());
        assertTrue(m.parameters().stream().noneMatch(p -> p.name().startsWith("encoder")), "no encoder parameters");
        assertSame(MpSpec.KIND, settings.kind());
        assertFalse(settings.usesEncoder());
        assertFalse(settings.sparsityFromLoss());
        assertFalse(settings.nested());
        assertFalse(settings.selectsTopK());
    }
}
