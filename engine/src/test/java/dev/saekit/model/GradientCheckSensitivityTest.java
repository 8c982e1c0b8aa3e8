package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.encoder.EncoderKind;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.LossSpec;
import dev.saekit.train.Losses;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The finite-difference check itself: it fails a wrong gradient, including one wrong by a small
 * but real amount, and its noise estimate cannot swallow such an error, whatever the noise.
 */
class GradientCheckSensitivityTest {
    private static final double SLIGHTLY = 1e-4;

    @Test
    void theCheckCatchesAWrongGradient() {
        // a loss that reports twice its true codes gradient must fail the check
        Fixture f = new Fixture(18);
        GradientReport report = GradientCheck.check(
                f.model,
                new Loss() {
                    @Override
                    public LossSpec spec() {
                        return new LossSpec.Custom("wrong");
                    }

                    @Override
                    public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
                        grads.codes().addi(2.0);
                        return output.codes().sumNumber().doubleValue();
                    }
                },
                f.x);
        assertFalse(report.agrees(), report::describe);
        GradientReport.Entry worst = report.worst();
        assertTrue(worst.difference() > 0.1 * Math.abs(worst.numeric()), report::describe);
    }

    @Test
    void aGradientOffByOnePartInTenThousandFails() {
        Fixture f = new Fixture(19);
        assertTrue(GradientCheck.check(f.model, Losses.mse(), f.x).agrees(), "the exact gradient passes");
        GradientReport report = GradientCheck.check(f.model, new ScaledGradient(Losses.mse(), 1 + SLIGHTLY, 0), f.x);
        assertFalse(report.agrees(), report::describe);
        assertTrue(report.tooNoisy().isEmpty(), "it fails on its entries, not on noise: " + report.describe());
    }

    @Test
    void noiseBelowTheCeilingWidensTheToleranceButCannotHideAGradientOffByOnePartInTenThousand() {
        Fixture f = new Fixture(20);
        GradientReport clean = GradientCheck.check(f.model, Losses.mse(), f.x);
        // evaluation noise of about 5e-8 of the gradient scale in each difference quotient
        double amplitude = 5e-8 * clean.scale() * GradientCheck.H;
        GradientReport noisy = GradientCheck.check(f.model, new ScaledGradient(Losses.mse(), 1, amplitude), f.x);
        assertTrue(noisy.tooNoisy().isEmpty(), noisy::describe);
        assertTrue(
                noisy.noise() > 10 * clean.noise(),
                "the added noise is measured: " + noisy.noise() + " against " + clean.noise() + " without it");
        assertTrue(noisy.agrees(), "a right gradient passes under that noise: " + noisy.describe());

        GradientReport wrong =
                GradientCheck.check(f.model, new ScaledGradient(Losses.mse(), 1 + SLIGHTLY, amplitude), f.x);
        assertFalse(wrong.agrees(), wrong::describe);
    }

    @Test
    void aCheckTooNoisyToJudgeFailsEvenWithTheRightGradient() {
        Fixture f = new Fixture(21);
        double scale = GradientCheck.check(f.model, Losses.mse(), f.x).scale();
        // evaluation noise of about 1e-3 of the gradient scale: far above the ceiling
        GradientReport report =
                GradientCheck.check(f.model, new ScaledGradient(Losses.mse(), 1, 1e-3 * scale * GradientCheck.H), f.x);
        assertFalse(report.agrees(), report::describe);
        assertFalse(report.tooNoisy().isEmpty(), report::describe);
        assertTrue(report.describe().contains("too noisy to judge"), report::describe);
    }

    /** A linear SAE and inputs away from every ReLU kink. */
    private static final class Fixture {
        final Sae model;
        final INDArray x;

        Fixture(long seed) {
            model = GradientFixtures.model(EncoderKind.LINEAR, GradientFixtures.TRAINED_MULTIPLIER, seed);
            x = GradientFixtures.kinkFreeData(model, EncoderKind.LINEAR);
        }
    }

    /**
     * A loss whose reported gradients are {@code factor} times the true ones, and whose value
     * carries a deterministic pseudo-random error of up to {@code amplitude / 2}: a stand-in for the
     * rounding noise of a loss that sums many terms, which changes erratically with every ulp of the
     * parameters.
     */
    private static final class ScaledGradient implements Loss {
        private final Loss inner;
        private final double factor;
        private final double amplitude;

        ScaledGradient(Loss inner, double factor, double amplitude) {
            this.inner = inner;
            this.factor = factor;
            this.amplitude = amplitude;
        }

        @Override
        public LossSpec spec() {
            return new LossSpec.Custom(inner.label() + " x " + factor);
        }

        @Override
        public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
            LossGradients own = new LossGradients(grads.dtype());
            own.reset(output);
            double value = inner.evaluate(x, output, d, own);
            grads.reconstruction().addi(own.reconstruction().mul(factor));
            double noise = new SplittableRandom(Double.doubleToLongBits(value)).nextDouble() - 0.5;
            return value + amplitude * noise;
        }
    }
}
