package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * OMP's gradients. By contract no gradient flows through the pursuit (SEMANTICS.md, "Orthogonal
 * matching pursuit"): the codes are solved for, then treated as constants, and the dictionary
 * learns through the decode {@code x_hat = z D} alone. So the analytic gradient is compared with
 * finite differences of the loss with the codes held at their values (the decode and the loss
 * differentiated, not the solver), and a loss that reads only the codes and the residual must
 * leave every gradient exactly zero.
 */
class OmpGradientCheckTest {
    private static final int INPUT = 5;
    private static final int CONCEPTS = 10;

    @ParameterizedTest(name = "{0} loss")
    @ValueSource(strings = {"mse", "mse_l1"})
    void theDictionaryGetsTheExactGradientOfTheDecode(String lossName) {
        SparseAutoencoder m = model(61);
        INDArray x = new SeededRandom(62).normal(DType.FLOAT64, 1.0, 8, INPUT);
        Loss loss = Losses.parse(lossName, 0.01);
        SaeOutput frozen = m.forward(x).detach();
        GradientCheck.Objective withCodesHeld = model -> {
            INDArray d = model.getDictionary();
            SaeOutput out = new SaeOutput(
                    frozen.preCodes(), frozen.codes(), frozen.codes().mmul(d));
            LossGradients g = new LossGradients(DType.FLOAT64);
            g.reset(out);
            return loss.evaluate(x, out, d, g);
        };
        GradientReport report = GradientCheck.check(m, loss, x, p -> true, withCodesHeld);
        assertTrue(report.agrees(), report::describe);
        assertEquals(Set.of(), report.withoutGradient(), "parameters without a gradient");
        assertTrue(report.entriesChecked() >= CONCEPTS * INPUT, "checked " + report.entriesChecked() + " entries");
    }

    @ParameterizedTest(name = "training={0}")
    @ValueSource(booleans = {true, false})
    void theEncodeContributesNoGradient(boolean training) {
        SparseAutoencoder m = model(63);
        if (!training) {
            m.eval();
        }
        INDArray x = new SeededRandom(64).normal(DType.FLOAT64, 1.0, 8, INPUT);
        INDArray onCodes = new SeededRandom(65).normal(DType.FLOAT64, 1.0, 8, CONCEPTS);
        INDArray onResidual = new SeededRandom(66).normal(DType.FLOAT64, 1.0, 8, INPUT);
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        g.codes().addi(onCodes); // a loss sum(z * a) + sum(r * b) on the codes and the residual only
        g.preCodes().addi(onResidual);
        m.backward(g.toOutputGradients());
        for (Parameter p : m.parameters()) {
            if (p.isTrainable()) {
                assertEquals(
                        0.0, p.grad().amaxNumber().doubleValue(), 0.0, p.name() + " got a gradient through the encode");
            }
        }
    }

    private static SparseAutoencoder model(long seed) {
        SparseAutoencoder m = TestModels.omp(
                Variants.unprojected(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, seed)), 3, 10, null);
        GradientFixtures.jitterConstants(m, new SeededRandom(seed + 1000));
        return m.train();
    }
}
