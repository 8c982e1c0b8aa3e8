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
import dev.saekit.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The built-in losses: values and output gradients on hand-worked batches. Every input, weight and
 * penalty is a small integer or a power-of-two fraction, so the gradients (one product each) are
 * exact and compared exactly; a loss value goes through a sum of squares that may be taken as a
 * squared norm (sqrt, then square), a few roundings of values up to 10.
 */
class LossesTest {
    private static final double VALUE = Tolerance.f64(10, 4);
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
        assertEquals(1.25, value[0], VALUE);
        // d/dx_hat = 2 (x_hat - x) / 4 = (-0.5, 1, 0, 0)
        assertArrayEquals(new double[] {-0.5, 1, 0, 0}, flat(g.reconstruction()), 0.0);
        assertNull(g.codes(), "mse asks for no codes gradient");
    }

    @Test
    void mseL1AddsLambdaTimesTheL1SumOverTheWholeBatch() {
        double[] value = new double[1];
        OutputGradients g = evaluate(Losses.mseL1(0.5), value);
        assertEquals(1.25 + 0.5 * 6, value[0], VALUE);
        // d/dz = lambda * sign(z)
        assertArrayEquals(new double[] {0, 0.5, -0.5, 0.5, 0, 0}, flat(g.denseCodes(Z)), 0.0);
        assertArrayEquals(new double[] {-0.5, 1, 0, 0}, flat(g.reconstruction()), 0.0);
    }

    @Test
    void termsComposeByAddingValuesAndGradients() {
        double[] value = new double[1];
        Loss both = Losses.mse().plus(Losses.mseL1(1.0));
        OutputGradients g = evaluate(both, value);
        assertEquals("mse+mse_l1", both.label());
        assertEquals(new LossSpec.Sum(List.of(new LossSpec.Mse(), new LossSpec.MseL1(1.0))), both.spec());
        assertEquals(1.25 + 1.25 + 6, value[0], VALUE);
        assertArrayEquals(new double[] {-1, 2, 0, 0}, flat(g.reconstruction()), 0.0);
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

    @Test
    void l1AloneIsTheL1TermOfMseL1() {
        double[] value = new double[1];
        OutputGradients g = evaluate(Losses.l1(0.5), value);
        assertEquals(0.5 * 6, value[0], VALUE);
        assertArrayEquals(new double[] {0, 0.5, -0.5, 0.5, 0, 0}, flat(g.denseCodes(Z)), 0.0);
        assertArrayEquals(new double[] {0, 0, 0, 0}, flat(g.reconstruction()), 0.0);
        double[] sum = new double[1];
        OutputGradients both = evaluate(Losses.mse().plus(Losses.l1(0.5)), sum);
        double[] fused = new double[1];
        OutputGradients mseL1 = evaluate(Losses.mseL1(0.5), fused);
        assertEquals(fused[0], sum[0], VALUE);
        assertArrayEquals(flat(mseL1.denseCodes(Z)), flat(both.denseCodes(Z)), 0.0);
        assertNull(both.codes(), "an L1 term writes no [batch, concepts] gradient: its sign term stays a number");
        assertEquals(0.5, both.codeSign(), 0.0);
        assertArrayEquals(flat(mseL1.reconstruction()), flat(both.reconstruction()), 0.0);
    }

    @Test
    void aWeightScalesTheValueAndEveryGradientOfItsTerm() {
        double[] value = new double[1];
        // 0.5 * mse + 2 * l1(0.25): 0.625 + 2 * 1.5 = 3.625
        OutputGradients g =
                evaluate(Losses.mse().times(0.5).plus(Losses.l1(0.25).times(2)), value);
        assertEquals(3.625, value[0], VALUE);
        assertArrayEquals(new double[] {-0.25, 0.5, 0, 0}, flat(g.reconstruction()), 0.0);
        assertArrayEquals(new double[] {0, 0.5, -0.5, 0.5, 0, 0}, flat(g.denseCodes(Z)), 0.0);
    }

    @Test
    void aWeightedTermCarriesItsPreCodeDictionaryAndNestedGradients() {
        INDArray d = Tensors.matrix(DType.FLOAT64, new double[][] {{1, 0}, {0, 1}, {1, 1}});
        Loss writesEverything = new Loss() {
            @Override
            public LossSpec spec() {
                return new LossSpec.Custom("all");
            }

            @Override
            public double evaluate(INDArray x, SaeOutput output, INDArray dict, LossGradients grads) {
                grads.preCodes().addi(1);
                grads.dictionary(dict).addi(2);
                grads.nested(1).addi(3);
                return 1;
            }
        };
        LossGradients grads = new LossGradients(DType.FLOAT64);
        grads.reset(2, 2, 3);
        double value = writesEverything.times(0.5).evaluate(X, new SaeOutput(Z, Z, X_HAT), d, grads);
        assertEquals(0.5, value, 0.0);
        OutputGradients g = grads.toOutputGradients();
        assertEquals(0.5, g.preCodes().meanNumber().doubleValue(), 0.0);
        assertEquals(1.0, g.dictionary().meanNumber().doubleValue(), 0.0);
        assertEquals(1.5, g.nested().get(1).meanNumber().doubleValue(), 0.0);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Losses.mse().times(-1));
        assertEquals("loss weight must be finite and >= 0, was -1.0 (for mse)", e.getMessage());
    }

    @Test
    void aSumListsTheListenersOfItsTermsOnce() {
        AuxKLoss aux = new AuxKLoss(0, 0.1);
        assertEquals(List.of(aux.tracker()), aux.listeners());
        Loss total = Losses.mse().plus(aux.times(2)).plus(aux);
        assertEquals(List.of(aux.tracker()), total.listeners());
        assertEquals(List.of(), Losses.mse().plus(Losses.l1(1)).listeners());
    }
}
