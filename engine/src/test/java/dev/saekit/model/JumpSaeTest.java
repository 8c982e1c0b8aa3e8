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
import dev.saekit.train.Losses;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-worked fixture and spec of the JumpReLU SAE ({@link JumpSae}, {@link JumpReluSpec}). */
class JumpSaeTest {
    /** The rectangle kernel with bandwidth 0.5: K(u) = 1[|u| <= 0.25] / 0.5 = 2 near the threshold, exact in float32. */
    private static final float BANDWIDTH = 0.5f;

    /**
     * d = 2, c = 3. Encoder W = [[1,0],[0,1],[1,1]], b = 0; dictionary (identity normalisation)
     * D = [[1,0],[0,1],[1,-1]]; log-thresholds t = [0, 0, 1], so theta = exp(t) = [1, 1, e].
     * x = [[2,1],[0.5,3]]: pre = [[2,1,3],[0.5,3,3.5]] = r (all positive). Codes z = r 1[r >= theta]:
     * row 0: 2 >= 1, 1 >= 1 (equal: kept), 3 >= e = 2.718..: z = [2,1,3];
     * row 1: 0.5 < 1 is cut although positive, 3 >= 1, 3.5 >= e: z = [0,3,3.5].
     * x_hat row 0 = 2*[1,0] + 1*[0,1] + 3*[1,-1] = [5,-2]; row 1 = 3*[0,1] + 3.5*[1,-1] = [3.5,-0.5].
     */
    private static JumpSae fixture() {
        JumpSae m = TestModels.jump(TestModels.handWorked(2, 3), JumpKernel.RECTANGLE, BANDWIDTH);
        TestModels.set(
                m, "encoder.final_block.0.weight", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1});
        TestModels.setVector(m, "encoder.final_block.0.bias", 0, 0, 0);
        TestModels.set(m, "dictionary._weights", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, -1});
        TestModels.setVector(m, JumpSae.THRESHOLDS, 0, 0, 1);
        return m;
    }

    private static INDArray x() {
        return Tensors.matrix(DType.FLOAT64, new double[][] {{2, 1}, {0.5, 3}});
    }

    @Test
    void codesBelowTheirThresholdAreCutAndACodeAtItsThresholdIsKept() {
        SaeOutput out = fixture().forward(x());
        // halves and small integers, compared with exact thresholds 1 and e: exact in float64
        assertArrayEquals(
                new double[] {2, 1, 3, 0.5, 3, 3.5},
                out.preCodes().dup('c').data().asDouble(),
                0);
        assertArrayEquals(
                new double[] {2, 1, 3, 0, 3, 3.5}, out.codes().dup('c').data().asDouble(), 0);
        assertArrayEquals(
                new double[] {5, -2, 3.5, -0.5},
                out.reconstruction().dup('c').data().asDouble(),
                0);
    }

    @Test
    void theThresholdsStartAtExpMinusThree() {
        JumpSae m = TestModels.jump(TestModels.handWorked(2, 3));
        assertArrayEquals(new double[] {-3, -3, -3}, m.thresholds().value().toDoubleVector(), 0);
        assertTrue(m.thresholds().isTrainable());
        // pre-codes of 0.04 and 0.06 around theta = exp(-3) = 0.0498: only the second is kept
        TestModels.set(
                m, "encoder.final_block.0.weight", new double[] {1, 0}, new double[] {0, 1}, new double[] {0, 0});
        TestModels.setVector(m, "encoder.final_block.0.bias", 0, 0, 0);
        INDArray z = m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{0.04, 0.06}}))
                .codes();
        assertArrayEquals(new double[] {0, 0.06, 0}, z.toDoubleVector(), 0);
    }

    /**
     * MSE: x_hat - x = [[3,-3],[3,-3.5]], loss (9 + 9 + 9 + 12.25)/4 = 9.8125, dL/dx_hat =
     * (x_hat - x)/2 = [[1.5,-1.5],[1.5,-1.75]], dL/dz = dL/dx_hat D^T = [[1.5,-1.5,3],[1.5,-1.75,3.25]].
     * Thresholds: only r[0][1] = 1 lies within the kernel's support |r - theta| <= 0.25 (the others
     * are 0.5 or more from theta; 3 - e = 0.28 and 3.5 - e = 0.78), so
     * dL/dtheta_1 = -(theta_1 / eps) K(0) dL/dz[0][1] = -(1/0.5) * 2 * (-1.5) = 6 and
     * dL/dt_1 = theta_1 * 6 = 6; dL/dt_0 = dL/dt_2 = 0.
     * Encoder: dz/dr = 1[r >= theta] (the cut 0.5 passes nothing), and relu' = 1 on positive pre:
     * dL/db = [1.5, -1.5 - 1.75, 3 + 3.25] = [1.5, -3.25, 6.25].
     */
    @Test
    void theThresholdsGetTheKernelPseudoDerivative() {
        JumpSae m = fixture();
        INDArray x = x();
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        assertEquals(9.8125, Losses.mse().evaluate(x, out, m.getDictionary(), g), Tolerance.f64(39.25, 4));
        m.backward(g.toOutputGradients());
        // theta_1 = exp(0) = 1 and the kernel's 2 are exact; a product of four factors and a sum
        assertArrayEquals(new double[] {0, 6, 0}, m.thresholds().grad().toDoubleVector(), Tolerance.f64(6, 6));
        assertArrayEquals(
                new double[] {1.5, -3.25, 6.25},
                m.parameter("encoder.final_block.0.bias").orElseThrow().grad().toDoubleVector(),
                Tolerance.f64(6.25, 4));
    }

    @Test
    void theDefaultsAreTheSilvermanKernelAndAFloat32Bandwidth() {
        JumpReluSpec defaults = (JumpReluSpec) JumpReluSpec.KIND.defaults().apply(SaeConfig.of(8, 64));
        assertEquals(new JumpReluSpec(JumpKernel.SILVERMAN, 1e-3f), defaults);
        assertEquals(0.0010000000474974513, (double) defaults.bandwidth(), 0, "1e-3 as a float32");
    }

    @Test
    void theBandwidthMustBeFiniteAndPositiveAndTheKernelKnown() {
        SpecChecks.rejects(
                () -> new JumpReluSpec(JumpKernel.SILVERMAN, 0f), "jumprelu", "bandwidth", "0.0", "finite and > 0");
        SpecChecks.rejects(
                () -> new JumpReluSpec(JumpKernel.SILVERMAN, -1e-3f),
                "jumprelu",
                "bandwidth",
                "-0.001",
                "finite and > 0");
        SpecChecks.rejects(
                () -> new JumpReluSpec(JumpKernel.SILVERMAN, Float.POSITIVE_INFINITY),
                "jumprelu",
                "bandwidth",
                "Infinity",
                "finite and > 0");
        SpecChecks.rejects(
                () -> new JumpReluSpec(JumpKernel.SILVERMAN, Float.NaN),
                "jumprelu",
                "bandwidth",
                "NaN",
                "finite and > 0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JumpKernel.parse("boxcar"));
        assertTrue(
                e.getMessage().contains("boxcar")
                        && e.getMessage().contains("rectangle")
                        && e.getMessage().contains("silverman"),
                e.getMessage());
    }

    @Test
    void theSpecRoundTripsThroughJsonWithTheKernelsLabel() {
        ObjectNode json = SpecChecks.roundTrip(new JumpReluSpec(JumpKernel.CAUCHY, 2.5e-3f));
        assertEquals("cauchy", json.get("kernel").asText());
        assertEquals(2.5e-3f, (float) json.get("bandwidth").asDouble());
        SpecChecks.roundTrip(new JumpReluSpec(JumpKernel.SILVERMAN, JumpReluSpec.DEFAULT_BANDWIDTH));
    }

    @Test
    void theModelKeepsItsSpecAndTheSpecSaysSparsityComesFromTheLoss() {
        JumpReluSpec settings = new JumpReluSpec(JumpKernel.RECTANGLE, BANDWIDTH);
        ModelSpec spec = ModelSpec.of(TestModels.handWorked(2, 3), settings);
        JumpSae m = (JumpSae) spec.build();
        assertSame(spec, m.spec());
        assertEquals(JumpKernel.RECTANGLE, m.kernel());
        assertEquals(BANDWIDTH, m.bandwidth());
        assertSame(JumpReluSpec.KIND, settings.kind());
        assertTrue(settings.usesEncoder());
        assertTrue(settings.sparsityFromLoss());
        assertFalse(settings.nested());
        assertFalse(settings.selectsTopK());
    }
}
