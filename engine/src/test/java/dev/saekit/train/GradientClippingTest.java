package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Global-norm clipping: the factor {@code min(1, max / (norm + 1e-6))}, which the optimiser applies as
 * it reads the gradients (the golden train-step cases with clipping pin the whole step).
 */
class GradientClippingTest {

    private static Parameter withGrad(String name, double... grad) {
        Parameter p = Parameter.trainable(name, Tensors.zeros(DType.FLOAT64, grad.length));
        p.grad().assign(Tensors.fromFlat(DType.FLOAT64, grad, grad.length));
        return p;
    }

    @Test
    void theNormIsTakenOverAllTrainableGradientsTogether() {
        // sqrt(3^2 + 4^2 + 12^2) = sqrt(169) = 13; the buffer does not count
        List<Parameter> ps = List.of(
                withGrad("a", 3, 4),
                withGrad("b", 12),
                Parameter.buffer("running_var", Tensors.ones(DType.FLOAT64, 5)));
        assertEquals(
                13.0, GradientClipping.globalNorm(ps), 0.0); // squares of integers and a perfect square root: exact
    }

    @Test
    void aNormAboveTheBoundGivesTheFactorMaxOverNormPlusEpsilon() {
        assertEquals(1.0 / (13.0 + 1e-6), GradientClipping.coefficient(13.0, 1.0), 0.0); // the same two roundings
        assertTrue(
                13.0 * GradientClipping.coefficient(13.0, 1.0) < 1.0, "the +1e-6 keeps the clipped norm just under 1");
    }

    @Test
    void aNormBelowTheBoundGivesOne() {
        assertEquals(1.0, GradientClipping.coefficient(5.0, 10.0), 0.0);
        assertEquals(1.0, GradientClipping.coefficient(0.0, 1.0), 0.0);
    }

    @Test
    void aNonFiniteNormGivesOneAndIsLeftForTheDivergenceCheck() {
        assertEquals(1.0, GradientClipping.coefficient(Double.NaN, 1.0), 0.0);
        assertEquals(1.0, GradientClipping.coefficient(Double.POSITIVE_INFINITY, 1.0), 0.0);
    }

    @Test
    void listenersSeeTheGradientsBeforeClippingAndTheFactorTheUpdateApplies() {
        dev.saekit.model.SparseAutoencoder m = dev.saekit.model.TestModels.topK(
                dev.saekit.model.SaeConfig.of(6, 12).withDType(DType.FLOAT64).withSeed(2), 3);
        dev.saekit.data.InMemoryDataset data = dev.saekit.data.InMemoryDataset.of(
                new dev.saekit.tensor.SeededRandom(3).normal(DType.FLOAT64, 4.0, 32, 6), "random");
        double[] seen = new double[3];
        TrainingListener listener = new TrainingListener() {
            @Override
            public void beforeUpdate(StepState s) {
                seen[0] = GradientClipping.globalNorm(m.parameters()); // what grad() holds
                seen[1] = s.gradNorm();
                seen[2] = s.clipScale();
            }
        };
        new Trainer(
                        TrainingConfig.builder()
                                .epochs(1)
                                .batchSize(32)
                                .clipNorm(0.01)
                                .build(),
                        listener)
                .fit(m, data);
        assertEquals(seen[1], seen[0], 0.0, "grad() holds the gradients before clipping");
        assertTrue(seen[1] > 0.01, "clipping engages: the norm is " + seen[1]);
        assertEquals(GradientClipping.coefficient(seen[1], 0.01), seen[2], 0.0, "the factor the optimiser applies");
    }
}
