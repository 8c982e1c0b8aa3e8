package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.LossGradients;
import dev.saekit.train.MatryoshkaLoss;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-worked fixture and spec of the MSAE paper's Matryoshka ({@link MatryoshkaSae}, {@link MsaeSpec}). */
class MatryoshkaSaeTest {

    /**
     * d = 2, c = 3, nesting given as [2, 1] and kept sorted as [1, 2]. Pre-bias b_pre = [1, 0],
     * encoder E [d, c] = [[1,0,1],[0,1,1]], latent bias b_lat = [0, 0, 0.5], decoder
     * W = [[1,0],[0,1],[1,-1]]. For x = [3, 1]: x - b_pre = [2, 1], pre = [2, 1, 3] + b_lat = [2, 1, 3.5].
     */
    private static MatryoshkaSae fixture(double softCap) {
        MatryoshkaSae m = TestModels.msae(TestModels.handWorked(2, 3), List.of(2, 1), softCap);
        TestModels.setVector(m, "pre_bias", 1, 0);
        TestModels.set(m, "encoder", new double[] {1, 0, 1}, new double[] {0, 1, 1});
        TestModels.setVector(m, "latent_bias", 0, 0, 0.5);
        TestModels.set(m, "decoder", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, -1});
        return m;
    }

    private static INDArray x() {
        return Tensors.matrix(DType.FLOAT64, new double[][] {{3, 1}});
    }

    /**
     * No soft cap (s = 0). Row [3, 1] (pre [2, 1, 3.5]): level k = 1 keeps 3.5, z_1 = [0, 0, 3.5],
     * x_hat_1 = 3.5*[1,-1] + b_pre = [4.5, -3.5]; level k = 2 keeps 3.5 and 2, z_2 = [2, 0, 3.5],
     * x_hat_2 = 2*[1,0] + 3.5*[1,-1] + b_pre = [6.5, -3.5]. Row [0, -1]: x - b_pre = [-1, -1],
     * pre = [-1, -1, -1.5]: the top-k of the RAW pre-codes picks negative values, the ReLU zeroes
     * them, and both levels decode to b_pre = [1, 0]. The codes and reconstruction are the largest
     * level's; the frequency buffer counts its non-zero codes: [1, 0, 1].
     */
    @Test
    void eachLevelKeepsItsTopKOfThePreCodesAndAddsThePreBias() {
        MatryoshkaSae m = fixture(0);
        assertArrayEquals(new int[] {1, 2}, m.nesting());
        SaeOutput out = m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{3, 1}, {0, -1}}));
        // halves and small integers: exact in float64
        assertArrayEquals(
                new double[] {2, 1, 3.5, -1, -1, -1.5},
                out.preCodes().dup('c').data().asDouble(),
                0);
        assertEquals(2, out.nested().size());
        assertArrayEquals(
                new double[] {4.5, -3.5, 1, 0},
                out.nested().get(0).dup('c').data().asDouble(),
                0);
        assertArrayEquals(
                new double[] {6.5, -3.5, 1, 0},
                out.nested().get(1).dup('c').data().asDouble(),
                0);
        assertArrayEquals(
                new double[] {2, 0, 3.5, 0, 0, 0}, out.codes().dup('c').data().asDouble(), 0);
        assertArrayEquals(
                new double[] {6.5, -3.5, 1, 0},
                out.reconstruction().dup('c').data().asDouble(),
                0);
        assertArrayEquals(new long[] {1, 0, 1}, m.activationFrequency());
    }

    /**
     * Soft cap s = 3: codes are 3 tanh(z / 3). Level 1: z_1 = [0, 0, 3 tanh(7/6)] (= 2.4696),
     * x_hat_1 = [1 + 3 tanh(7/6), -3 tanh(7/6)]; level 2 adds 3 tanh(2/3) (= 1.7483) on atom 0:
     * x_hat_2 = [1 + 3 tanh(2/3) + 3 tanh(7/6), -3 tanh(7/6)]. Without top-k, every positive pre-code
     * is capped: [3 tanh(2/3), 3 tanh(1/3), 3 tanh(7/6)]; at k = 1 only the last survives.
     */
    @Test
    void theSoftCapBoundsEveryCode() {
        MatryoshkaSae m = fixture(3);
        SaeOutput out = m.forward(x());
        double a = 3 * Math.tanh(7.0 / 6.0);
        double b = 3 * Math.tanh(2.0 / 3.0);
        double c = 3 * Math.tanh(1.0 / 3.0);
        // a division, a tanh (within an ulp or two) and a product per code, at most two codes and a bias per entry
        double tol = Tolerance.f64(6, 8);
        assertArrayEquals(new double[] {1 + a, -a}, out.nested().get(0).toDoubleVector(), tol);
        assertArrayEquals(new double[] {b, 0, a}, out.codes().toDoubleVector(), tol);
        assertArrayEquals(new double[] {1 + b + a, -a}, out.reconstruction().toDoubleVector(), tol);
        assertArrayEquals(new double[] {b, c, a}, m.unsparsified(x()).codes().toDoubleVector(), tol);
        assertArrayEquals(new double[] {0, 0, a}, m.codesAtK(x(), 1).toDoubleVector(), tol);
    }

    /**
     * Uniform nested MSE on x = [3, 1], s = 0: level residuals x_hat_i - x are [1.5, -4.5] and
     * [3.5, -4.5], MSEs 11.25 and 16.25, loss (11.25 + 16.25)/2 = 13.75. Each level's
     * dL/dx_hat_i = (1/2) * 2 (x_hat_i - x)/2: g_1 = [0.75, -2.25], g_2 = [1.75, -2.25].
     * dL/dz_i = g_i W^T, cut to the level's codes: level 1 [0.75, -2.25, 3] -> [0, 0, 3], level 2
     * [1.75, -2.25, 4] -> [1.75, 0, 4]; dL/dpre = [1.75, 0, 7] = dL/db_lat;
     * dL/dE = (x - b_pre)^T dL/dpre = [[3.5, 0, 14], [1.75, 0, 7]];
     * dL/db_pre = g_1 + g_2 - dL/dpre E^T = [2.5, -4.5] - [8.75, 7] = [-6.25, -11.5];
     * dL/dW row 0 = 2 g_2 = [3.5, -4.5], row 1 = 0, row 2 = 3.5 (g_1 + g_2) = [8.75, -15.75].
     */
    @Test
    void oneBackwardPassOfTheNestedLossMatchesTheHandComputation() {
        MatryoshkaSae m = fixture(0);
        INDArray x = x();
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        double loss = MatryoshkaLoss.uniform(MatryoshkaLoss.Kind.MSE).evaluate(x, out, m.getDictionary(), g);
        assertEquals(13.75, loss, Tolerance.f64(20.25, 8)); // squares up to 20.25, two levels, weights and means
        m.backward(g.toOutputGradients());
        double tol = Tolerance.f64(16, 8);
        assertArrayEquals(
                new double[] {1.75, 0, 7},
                m.parameter("latent_bias").orElseThrow().grad().toDoubleVector(),
                tol);
        assertArrayEquals(
                new double[] {3.5, 0, 14, 1.75, 0, 7},
                m.parameter("encoder").orElseThrow().grad().dup('c').data().asDouble(),
                tol);
        assertArrayEquals(
                new double[] {-6.25, -11.5},
                m.parameter("pre_bias").orElseThrow().grad().toDoubleVector(),
                tol);
        assertArrayEquals(
                new double[] {3.5, -4.5, 0, 0, 8.75, -15.75},
                m.parameter("decoder").orElseThrow().grad().dup('c').data().asDouble(),
                tol);
    }

    /**
     * After that backward pass, afterBackward rescales each decoder row to unit norm (n = [1, 1, sqrt 2]
     * plus machine epsilon), multiplies encoder column i and b_lat_i by n_i (so z_2 = 3.5 sqrt 2 and
     * the reconstruction is unchanged), then removes from each decoder-row gradient its component
     * along the new row: row 0 [3.5, -4.5] - 3.5 [1, 0] = [0, -4.5]; row 2 [8.75, -15.75] has
     * component (8.75 + 15.75)/sqrt 2 along [1, -1]/sqrt 2, so it becomes
     * [8.75, -15.75] - 12.25 [1, -1] = [-3.5, -3.5].
     */
    @Test
    void afterBackwardNormalisesTheDecoderRowsAndProjectsTheirGradients() {
        MatryoshkaSae m = fixture(0);
        INDArray x = x();
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        MatryoshkaLoss.uniform(MatryoshkaLoss.Kind.MSE).evaluate(x, out, m.getDictionary(), g);
        m.backward(g.toOutputGradients());
        m.afterBackward();
        double r = Math.sqrt(2);
        double tol = Tolerance.f64(16, 8);
        assertArrayEquals(
                new double[] {1, 0, 0, 1, 1 / r, -1 / r},
                m.parameter("decoder").orElseThrow().value().dup('c').data().asDouble(),
                tol);
        assertArrayEquals(
                new double[] {1, 0, r, 0, 1, r},
                m.parameter("encoder").orElseThrow().value().dup('c').data().asDouble(),
                tol);
        assertArrayEquals(
                new double[] {0, 0, 0.5 * r},
                m.parameter("latent_bias").orElseThrow().value().toDoubleVector(),
                tol);
        assertArrayEquals(
                new double[] {0, -4.5, 0, 0, -3.5, -3.5},
                m.parameter("decoder").orElseThrow().grad().dup('c').data().asDouble(),
                Tolerance.f64(24.5, 8));
        assertArrayEquals(
                new double[] {6.5, -3.5}, m.forward(x).reconstruction().toDoubleVector(), tol);
    }

    @Test
    void theDefaultsAreTheNestingLevelsThatFitAndTheSoftCapOfThirty() {
        assertEquals(
                new MsaeSpec(List.of(8, 16, 32), 30), MsaeSpec.KIND.defaults().apply(SaeConfig.of(8, 64)));
        assertEquals(new MsaeSpec(List.of(8, 16), 30), MsaeSpec.KIND.defaults().apply(SaeConfig.of(8, 20)));
        assertEquals(new MsaeSpec(List.of(3), 30), MsaeSpec.KIND.defaults().apply(TestModels.handWorked(2, 3)));
        assertEquals(30, MatryoshkaSae.DEFAULT_SOFT_CAP);
        assertEquals(List.of(1, 2, 4), new MsaeSpec(List.of(4, 1, 2), 0).nesting(), "the nesting is kept sorted");
    }

    @Test
    void badLevelsAndSoftCapsAreRejectedWithTheSettingNamed() {
        SpecChecks.rejects(() -> new MsaeSpec(List.of(), 30), "msae", "nesting", "[]", "at least one k");
        SpecChecks.rejects(() -> new MsaeSpec(List.of(2, 0), 30), "msae", "nesting", "[0, 2]", "k values >= 1");
        SpecChecks.rejects(
                () -> new MsaeSpec(List.of(2, 2), 30),
                "msae",
                "nesting",
                "[2, 2]",
                "distinct k values (each level needs its own)");
        SpecChecks.rejects(
                () -> new MsaeSpec(List.of(2), -1), "msae", "soft_cap", "-1.0", "finite and >= 0 (0 turns it off)");
        SpecChecks.rejects(
                () -> new MsaeSpec(List.of(2), Double.POSITIVE_INFINITY),
                "msae",
                "soft_cap",
                "Infinity",
                "finite and >= 0 (0 turns it off)");
        SpecChecks.rejects(
                () -> ModelSpec.of(SaeConfig.of(4, 8), new MsaeSpec(List.of(2, 9), 30)),
                "msae",
                "nesting",
                "[2, 9]",
                "k values in 1..8 (the number of concepts)");
        IllegalArgumentException dictionary = assertThrows(
                IllegalArgumentException.class,
                () -> new ModelSpec(
                        SaeConfig.of(4, 8),
                        new MsaeSpec(List.of(2), 30),
                        new ModelSpec.DictionarySpec.Archetypal(8, 1.0, true),
                        new ModelSpec.EncoderSpec.Standard()));
        assertTrue(dictionary.getMessage().contains("own decoder"), dictionary.getMessage());
        IllegalArgumentException encoder = assertThrows(
                IllegalArgumentException.class,
                () -> new ModelSpec(
                        SaeConfig.of(4, 8),
                        new MsaeSpec(List.of(2), 30),
                        new ModelSpec.DictionarySpec.Standard(),
                        new ModelSpec.EncoderSpec.Tied(false)));
        assertTrue(encoder.getMessage().contains("own encoder"), encoder.getMessage());
    }

    @Test
    void theSpecRoundTripsThroughJson() {
        ObjectNode json = SpecChecks.roundTrip(new MsaeSpec(List.of(16, 4, 8), 0.0));
        assertEquals("[4,8,16]", json.get("nesting").toString());
        assertEquals(0.0, json.get("soft_cap").asDouble());
        SpecChecks.roundTrip(new MsaeSpec(List.of(1), 2.5));
    }

    @Test
    void theModelKeepsItsSpecAndTheSpecSaysItIsNested() {
        MsaeSpec settings = new MsaeSpec(List.of(1, 2), 3);
        ModelSpec spec = ModelSpec.of(TestModels.handWorked(2, 3), settings);
        MatryoshkaSae m = (MatryoshkaSae) spec.build();
        assertSame(spec, m.spec());
        assertEquals(3, m.softCap());
        assertEquals(
                List.of("pre_bias", "encoder", "latent_bias", "decoder", MatryoshkaSae.ACTIVATION_FREQUENCY),
                m.parameters().stream().map(dev.saekit.tensor.Parameter::name).toList());
        assertSame(MsaeSpec.KIND, settings.kind());
        assertTrue(settings.usesEncoder());
        assertFalse(settings.sparsityFromLoss());
        assertTrue(settings.nested());
        assertFalse(settings.selectsTopK());
    }
}
