package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The analytic zero check of the biases before a training BatchNorm is strict, and passes on the engine's gradients. */
class BatchNormBiasCheckTest {
    private static final EncoderKind KIND = EncoderKind.MLP_BN_3;

    @Test
    void theBiasesBeforeATrainingBatchNormGetAGradientThatIsZeroUpToRounding() {
        Fixture f = new Fixture();
        assertEquals(
                Set.of("encoder.mlp_blocks.0.0.bias", "encoder.mlp_blocks.1.0.bias", "encoder.final_block.0.bias"),
                f.bounds.keySet());
        assertEquals(List.of(), BatchNormBiasCheck.notZero(f.gradients, f.bounds));
    }

    @Test
    void aBiasGradientOfAMillionthOfTheGradientEnteringItsLayerIsRejected() {
        Fixture f = new Fixture();
        Map<String, double[]> shifted = new LinkedHashMap<>();
        f.gradients.forEach((name, g) -> {
            double[] s = g.clone();
            // the bound is (2B + 8) u of the entering terms; a millionth of them is no rounding
            s[0] += 1e-6
                    * f.bounds.get(name)[0]
                    / ((2.0 * GradientFixtures.BATCH + 8) * BatchNormBiasCheck.UNIT_ROUNDOFF);
            shifted.put(name, s);
        });
        List<String> rejected = BatchNormBiasCheck.notZero(shifted, f.bounds);
        assertEquals(3, rejected.size(), rejected::toString);
        assertTrue(rejected.get(0).contains("is not zero up to rounding"), rejected::toString);
    }

    /** An MLP_BN_3 SAE in training, its BatchNorm biases' analytic gradients, and their rounding bounds. */
    private static final class Fixture {
        final Map<String, double[]> gradients = new LinkedHashMap<>();
        final Map<String, double[]> bounds;

        Fixture() {
            Sae model = GradientFixtures.model(KIND, GradientFixtures.TRAINED_MULTIPLIER, 24);
            INDArray x = GradientFixtures.kinkFreeData(model, KIND);
            Loss loss = Losses.mseL1(0.1).plus(new GradientFixtures.PreCodesDot(25));
            model.zeroGrad();
            SaeOutput out = model.forward(x);
            INDArray d = model.getDictionary();
            LossGradients g = new LossGradients(model.dtype());
            g.reset(out);
            loss.evaluate(x, out, d, g);
            model.backward(g.toOutputGradients());
            for (Parameter p : model.parameters()) {
                if (p.name().endsWith(".0.bias")) {
                    gradients.put(p.name(), p.grad().toDoubleVector());
                }
            }
            bounds = BatchNormBiasCheck.roundingBounds(model, KIND, loss, x);
        }
    }
}
