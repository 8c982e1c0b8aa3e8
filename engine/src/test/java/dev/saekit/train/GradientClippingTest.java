package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Global-norm clipping: scale {@code min(1, max / (norm + 1e-6))}, returning the norm before clipping. */
class GradientClippingTest {

    private static Parameter withGrad(String name, double... grad) {
        Parameter p = Parameter.trainable(name, Tensors.zeros(DType.FLOAT64, grad.length));
        p.grad().assign(Tensors.fromFlat(DType.FLOAT64, grad, grad.length));
        return p;
    }

    private static double[] grad(Parameter p) {
        return p.grad().toDoubleVector();
    }

    @Test
    void theNormIsTakenOverAllTrainableGradientsTogether() {
        // sqrt(3^2 + 4^2 + 12^2) = sqrt(169) = 13; the buffer does not count
        List<Parameter> ps = List.of(withGrad("a", 3, 4), withGrad("b", 12),
                Parameter.buffer("running_var", Tensors.ones(DType.FLOAT64, 5)));
        assertEquals(13.0, GradientClipping.globalNorm(ps), 0.0); // squares of integers and a perfect square root: exact
    }

    @Test
    void aNormAboveTheBoundScalesEveryGradientByMaxOverNormPlusEpsilon() {
        Parameter a = withGrad("a", 3, 4);
        Parameter b = withGrad("b", 12);
        double before = GradientClipping.clip(List.of(a, b), 1.0);
        assertEquals(13.0, before, 0.0, "returns the norm before clipping");
        double scale = 1.0 / (13.0 + 1e-6);
        // the scale and one product: two roundings of values up to 12
        assertArrayEquals(new double[] {3 * scale, 4 * scale}, grad(a), Tolerance.f64(12, 2));
        assertArrayEquals(new double[] {12 * scale}, grad(b), Tolerance.f64(12, 2));
        assertTrue(GradientClipping.globalNorm(List.of(a, b)) < 1.0, "the +1e-6 keeps the clipped norm just under 1");
    }

    @Test
    void aNormBelowTheBoundLeavesTheGradientsAlone() {
        Parameter a = withGrad("a", 3, 4);
        assertEquals(5.0, GradientClipping.clip(List.of(a), 10.0), 0.0);
        assertArrayEquals(new double[] {3, 4}, grad(a), 0.0);
    }

    @Test
    void aNonFiniteNormIsReportedAndTheGradientsAreLeftForTheDivergenceCheck() {
        Parameter a = withGrad("a", 3, 4);
        Parameter b = withGrad("b", Double.NaN);
        assertTrue(Double.isNaN(GradientClipping.clip(List.of(a, b), 1.0)));
        assertArrayEquals(new double[] {3, 4}, grad(a), 0.0);
    }
}
