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

/** Hand-worked fixture and spec of the vanilla SAE ({@link Sae}, {@link VanillaSpec}). */
class SaeTest {

    /**
     * d = 2, c = 3. Encoder W = [[-1,1],[0,1],[1,1]], b = [0.5, 0, -1]; dictionary (identity
     * normalisation) D = [[1,0],[0,1],[1,-1]]. For x = [2, 1]:
     * pre = [-2+1+0.5, 1, 2+1-1] = [-0.5, 1, 2]; z = relu(pre) = [0, 1, 2];
     * x_hat = z D = 1*[0,1] + 2*[1,-1] = [2, -1].
     */
    private static Sae fixture() {
        Sae m = TestModels.vanilla(TestModels.handWorked(2, 3));
        TestModels.set(
                m, "encoder.final_block.0.weight", new double[] {-1, 1}, new double[] {0, 1}, new double[] {1, 1});
        TestModels.setVector(m, "encoder.final_block.0.bias", 0.5, 0, -1);
        TestModels.set(m, "dictionary._weights", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, -1});
        return m;
    }

    private static INDArray x() {
        return Tensors.matrix(DType.FLOAT64, new double[][] {{2, 1}});
    }

    @Test
    void theCodesAreTheReluOfTheEncoderAndDecodeThroughTheDictionary() {
        SaeOutput out = fixture().forward(x());
        // one product of two terms and a bias per pre-code, two per reconstruction entry: exact in float64
        assertArrayEquals(new double[] {-0.5, 1, 2}, out.preCodes().toDoubleVector(), 0);
        assertArrayEquals(new double[] {0, 1, 2}, out.codes().toDoubleVector(), 0);
        assertArrayEquals(new double[] {2, -1}, out.reconstruction().toDoubleVector(), 0);
    }

    /**
     * mse_l1 with lambda = 0.5: the residual x_hat - x = [0, -2] gives MSE (0 + 4)/2 = 2, the L1 term
     * 0.5 * (0 + 1 + 2) = 1.5; loss 3.5. dL/dx_hat = 2 (x_hat - x) / 2 = [0, -2], so
     * dL/dz = dL/dx_hat D^T + 0.5 sign(z) = [0, -2, 2] + [0, 0.5, 0.5] = [0, -1.5, 2.5]; the ReLU
     * passes it where pre > 0 (the first pre-code, -0.5, gets nothing): dL/db = [0, -1.5, 2.5],
     * dL/dW = dL/db^T x = [[0,0],[-3,-1.5],[5,2.5]]. The dictionary gets z^T dL/dx_hat:
     * atom 0: 0, atom 1: 1*[0,-2], atom 2: 2*[0,-2] = [0,-4].
     */
    @Test
    void oneBackwardPassOfMseL1MatchesTheHandComputation() {
        Sae m = fixture();
        INDArray x = x();
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        double loss = Losses.mseL1(0.5).evaluate(x, out, m.getDictionary(), g);
        assertEquals(3.5, loss, Tolerance.f64(4, 4)); // two squares up to 4, a mean, an l1 sum and a product
        m.backward(g.toOutputGradients());
        assertArrayEquals(
                new double[] {0, -1.5, 2.5},
                m.parameter("encoder.final_block.0.bias").orElseThrow().grad().toDoubleVector(),
                Tolerance.f64(2.5, 4));
        INDArray gradW =
                m.parameter("encoder.final_block.0.weight").orElseThrow().grad();
        assertArrayEquals(
                new double[] {0, 0, -3, -1.5, 5, 2.5}, gradW.dup('c').data().asDouble(), Tolerance.f64(5, 4));
        INDArray gradD = m.parameter("dictionary._weights").orElseThrow().grad();
        assertArrayEquals(
                new double[] {0, 0, 0, -2, 0, -4}, gradD.dup('c').data().asDouble(), Tolerance.f64(4, 4));
    }

    @Test
    void theSpecHasNoSettingsAndSaysSparsityComesFromTheLoss() {
        SaeConfig config = TestModels.handWorked(2, 3);
        assertEquals(new VanillaSpec(), VanillaSpec.KIND.defaults().apply(config));
        assertEquals("vanilla", VanillaSpec.KIND.name());
        assertTrue(VanillaSpec.KIND.settings().isEmpty());
        VanillaSpec spec = new VanillaSpec();
        assertSame(VanillaSpec.KIND, spec.kind());
        assertTrue(spec.usesEncoder());
        assertTrue(spec.sparsityFromLoss());
        assertFalse(spec.nested());
        assertFalse(spec.selectsTopK());
        assertTrue(
                spec.ownShapes(ModelSpec.of(config, spec)).isEmpty(), "the vanilla SAE adds no parameter of its own");
    }

    @Test
    void theSpecRoundTripsThroughJsonAndRefusesSettingsItLacks() {
        ObjectNode json = SpecChecks.roundTrip(new VanillaSpec());
        assertEquals(1, json.size(), "only the name: " + json);
        json.put("k", 4);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> VariantSpec.fromJson(json, "variant"));
        assertEquals("variant: vanilla has no setting [k]; its settings: none", e.getMessage());
    }

    @Test
    void theModelKeepsTheSpecItWasBuiltFrom() {
        ModelSpec spec = ModelSpec.of(TestModels.handWorked(2, 3), new VanillaSpec());
        SparseAutoencoder m = spec.build();
        assertTrue(m instanceof Sae);
        assertSame(spec, m.spec());
    }
}
