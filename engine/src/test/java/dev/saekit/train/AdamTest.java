package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Adam, Adam with L2 weight decay and AdamW against torch's update rule, worked by hand. */
class AdamTest {
    private static final double LR = 0.1;
    /**
     * One Adam step of a parameter near 1: about ten roundings (moments, bias corrections, square
     * root, epsilon, division, update) of values no larger than 1.
     */
    private static final double STEP = Tolerance.f64(1, 12);

    private static Parameter scalarParameter(double value) {
        return Parameter.trainable("p", Tensors.fromFlat(DType.FLOAT64, new double[] {value}, 1));
    }

    private static void step(Adam adam, Parameter p, double grad) {
        p.grad().putScalar(0, grad);
        adam.step(List.of(p), LR);
    }

    private static OptimizerConfig config(OptimizerConfig.Kind kind, double weightDecay) {
        return new OptimizerConfig(kind, LR, 0.9, 0.999, 1e-8, weightDecay);
    }

    @Test
    void twoAdamStepsFollowTorchsFormula() {
        // step 1, g = 0.5:   m = 0.1 * 0.5 = 0.05,  v = 0.001 * 0.25 = 0.00025
        //   denom = sqrt(0.00025) / sqrt(1 - 0.999) + 1e-8 = 0.5 + 1e-8
        //   p = 1 - 0.1 / (1 - 0.9) * 0.05 / (0.5 + 1e-8) = 0.900000002
        // step 2, g = -0.25: m = 0.9 * 0.05 - 0.1 * 0.25 = 0.02,  v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225
        //   denom = sqrt(0.00031225) / sqrt(1 - 0.999^2) + 1e-8 = 0.395225390701667
        //   p = 0.900000002 - 0.1 / (1 - 0.81) * 0.02 / 0.395225390701667 = 0.8733662987078463
        Adam adam = new Adam(config(OptimizerConfig.Kind.ADAM, 0));
        Parameter p = scalarParameter(1.0);
        assertNull(adam.state(p));
        step(adam, p, 0.5);
        assertEquals(0.900000002, p.value().getDouble(0), STEP);
        step(adam, p, -0.25);
        assertEquals(0.8733662987078463, p.value().getDouble(0), 2 * STEP);
        Adam.State s = adam.state(p);
        assertEquals(2, s.step());
        // 1 - beta is rounded at magnitude 1 and multiplies g (or g^2): the error scales with g, not the result
        assertEquals(0.02, s.expAvg().getDouble(0), Tolerance.f64(0.5, 3)); // 0.9 * 0.05 + (1 - 0.9) * -0.25
        assertEquals(0.00031225, s.expAvgSq().getDouble(0), Tolerance.f64(0.25, 3)); // 0.999 * v + (1 - 0.999) * g^2
    }

    @Test
    void adamAddsItsWeightDecayToTheGradient() {
        // g' = g + wd * p = 0.5 + 0.1 * 1 = 0.6:  m = 0.06, v = 0.001 * 0.36 = 0.00036
        //   p = 1 - 1 * 0.06 / (sqrt(0.00036) / sqrt(0.001) + 1e-8) = 1 - 0.06 / (0.6 + 1e-8)
        Adam adam = new Adam(config(OptimizerConfig.Kind.ADAM, 0.1));
        Parameter p = scalarParameter(1.0);
        step(adam, p, 0.5);
        assertEquals(0.06, adam.state(p).expAvg().getDouble(0), Tolerance.f64(0.6, 3)); // (1 - 0.9) * (0.5 + 0.1 * 1)
        assertEquals(0.00036, adam.state(p).expAvgSq().getDouble(0), Tolerance.f64(0.36, 3)); // (1 - 0.999) * 0.6^2
        assertEquals(1 - 0.06 / (0.6 + 1e-8), p.value().getDouble(0), STEP);
        assertEquals(0.5, p.grad().getDouble(0), 0.0, "the parameter's own gradient is left alone");
    }

    @Test
    void adamWDecaysTheWeightsApartFromTheGradient() {
        // p = p * (1 - lr * wd) = 0.99, then the plain Adam step: 0.99 - 0.05 / (0.5 + 1e-8)
        Adam adam = new Adam(config(OptimizerConfig.Kind.ADAMW, 0.1));
        Parameter p = scalarParameter(1.0);
        step(adam, p, 0.5);
        assertEquals(0.05, adam.state(p).expAvg().getDouble(0), Tolerance.f64(0.5, 2));
        assertEquals(0.99 - 0.05 / (0.5 + 1e-8), p.value().getDouble(0), STEP);
    }

    @Test
    void aZeroGradientStillDecaysTheWeightsUnderAdamW() {
        Adam adam = new Adam(config(OptimizerConfig.Kind.ADAMW, 0.5));
        Parameter p = scalarParameter(2.0);
        step(adam, p, 0.0);
        assertEquals(2.0 * (1 - 0.1 * 0.5), p.value().getDouble(0), Tolerance.f64(2, 3));
    }

    @Test
    void buffersAreNotUpdatedAndEveryUpdateIsReported() {
        Adam adam = new Adam(config(OptimizerConfig.Kind.ADAM, 0));
        Parameter buffer = Parameter.buffer("running_mean", Tensors.ones(DType.FLOAT64, 2));
        Parameter p = scalarParameter(1.0);
        p.grad().putScalar(0, 1.0);
        long version = p.version();
        adam.step(List.of(buffer, p), LR);
        assertEquals(2.0, buffer.value().sumNumber().doubleValue(), 0.0);
        assertNull(adam.state(buffer));
        assertTrue(p.version() > version, "caches keyed on the version must see the step");
    }

    @Test
    void elementsAreUpdatedIndependently() {
        Adam adam = new Adam(config(OptimizerConfig.Kind.ADAM, 0));
        Parameter p = Parameter.trainable("w", Tensors.fromFlat(DType.FLOAT64, new double[] {1, 1, 1}, 3));
        p.grad().assign(Tensors.fromFlat(DType.FLOAT64, new double[] {0.5, -3, 0}, 3));
        adam.step(List.of(p), LR);
        // the first step moves each element by lr g / (|g| + eps) = lr sign(g) (1 - eps / |g|), up to
        // lr eps / 0.5 = 2e-9 from lr sign(g); a zero gradient moves nothing
        double byEps = LR * 1e-8 / 0.5;
        assertEquals(0.9, p.value().getDouble(0), byEps + STEP);
        assertEquals(1.1, p.value().getDouble(1), byEps + STEP);
        assertEquals(1.0, p.value().getDouble(2), 0.0);
    }
}
