package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.model.OutputGradients;
import dev.saekit.model.SaeOutput;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The built-in losses: values and output gradients on hand-worked batches. */
class LossesTest {
    // x = [[1, 2], [0, -1]], x_hat = [[0, 4], [0, -1]]: residuals (1, -2, 0, 0), mse = 5 / 4
    private static final INDArray X = Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}, {0, -1}});
    private static final INDArray X_HAT = Tensors.matrix(DType.FLOAT64, new double[][] {{0, 4}, {0, -1}});
    // codes z = [[0, 3, -1], [2, 0, 0]]: sum |z| = 6
    private static final INDArray Z = Tensors.matrix(DType.FLOAT64, new double[][] {{0, 3, -1}, {2, 0, 0}});

    private static OutputGradients evaluate(Loss loss, double[] value) {
        LossGradients grads = new LossGradients(DType.FLOAT64);
        grads.reset(2, 2, 3);
        value[0] = loss.evaluate(X, new SaeOutput(Z, Z, X_HAT), null, grads);
        return grads.toOutputGradients();
    }

    private static double[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toDoubleVector();
    }

    @Test
    void mseIsTheMeanOverAllEntriesAndItsGradientIsTwoResidualsOverN() {
        double[] value = new double[1];
        OutputGradients g = evaluate(Losses.mse(), value);
        assertEquals(1.25, value[0], 1e-15);
        // d/dx_hat = 2 (x_hat - x) / 4 = (-0.5, 1, 0, 0)
        assertArrayEquals(new double[] {-0.5, 1, 0, 0}, flat(g.reconstruction()), 1e-15);
        assertNull(g.codes(), "mse asks for no codes gradient");
    }

    @Test
    void mseL1AddsLambdaTimesTheL1SumOverTheWholeBatch() {
        double[] value = new double[1];
        OutputGradients g = evaluate(Losses.mseL1(0.5), value);
        assertEquals(1.25 + 0.5 * 6, value[0], 1e-15);
        // d/dz = lambda * sign(z)
        assertArrayEquals(new double[] {0, 0.5, -0.5, 0.5, 0, 0}, flat(g.codes()), 1e-15);
        assertArrayEquals(new double[] {-0.5, 1, 0, 0}, flat(g.reconstruction()), 1e-15);
    }

    @Test
    void termsComposeByAddingValuesAndGradients() {
        double[] value = new double[1];
        Loss both = Losses.mse().plus(Losses.mseL1(1.0));
        OutputGradients g = evaluate(both, value);
        assertEquals("mse+mse_l1", both.name());
        assertEquals(1.25 + 1.25 + 6, value[0], 1e-15);
        assertArrayEquals(new double[] {-1, 2, 0, 0}, flat(g.reconstruction()), 1e-15);
    }

    @Test
    void lossesParseByNameAndRejectABadPenalty() {
        assertEquals(Losses.mseL1(0.3), Losses.parse("MSE-L1", 0.3));
        assertEquals(Losses.mse(), Losses.parse("mse", 0.3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.parse("huber", 0));
        assertEquals("unknown loss 'huber'; accepted: mse, mse_l1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.mseL1(-1));
        assertEquals("l1 penalty lambda must be finite and >= 0, was -1.0", e.getMessage());
    }

    @Test
    void lossGradientsStartEachStepAtZero() {
        LossGradients grads = new LossGradients(DType.FLOAT64);
        grads.reset(2, 2, 3);
        INDArray codes = grads.codes().addi(1);
        INDArray reconstruction = grads.reconstruction().addi(1);
        grads.reset(2, 2, 3);
        assertSame(reconstruction, grads.reconstruction(), "the arrays are reused from step to step");
        assertEquals(0.0, grads.reconstruction().amaxNumber().doubleValue(), 0.0);
        assertNull(grads.toOutputGradients().codes());
        assertSame(codes, grads.codes());
        assertEquals(0.0, grads.codes().amaxNumber().doubleValue(), 0.0);
    }
}
