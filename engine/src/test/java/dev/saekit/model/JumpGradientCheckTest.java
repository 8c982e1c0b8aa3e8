package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * JumpReLU's gradients. The codes {@code z = r 1[r >= theta]} are a step function of the
 * threshold, whose true derivative is zero almost everywhere: by design the log-thresholds get a
 * kernel pseudo-derivative instead, which no finite difference can confirm. So the thresholds'
 * gradient is compared with the formula of SEMANTICS.md, recomputed here with kernels written
 * from that text (not {@link JumpKernel}), and every other parameter is checked by finite
 * differences, in a state where some data lie within each kernel's support of every threshold.
 */
class JumpGradientCheckTest {
    private static final int INPUT = 5;
    private static final int CONCEPTS = 10;
    private static final int BATCH = 8;
    private static final float BANDWIDTH = 1e-3f;
    /** The unit roundoff of float32: the kernels' constants and some of their values are float32. */
    private static final double FLOAT32_ROUNDOFF = Math.ulp(1.0f) / 2;

    @ParameterizedTest(name = "{0} kernel")
    @EnumSource(JumpKernel.class)
    void theThresholdGradientIsTheKernelPseudoDerivative(JumpKernel kernel) {
        checkThresholdGradient(kernel, CodePath.DENSE);
    }

    /** The sparse path reads the code gradient at the kept codes and in the band below each threshold only. */
    @ParameterizedTest(name = "{0} kernel")
    @EnumSource(JumpKernel.class)
    void theSparsePathsThresholdGradientIsTheKernelPseudoDerivative(JumpKernel kernel) {
        checkThresholdGradient(kernel, CodePath.SPARSE);
    }

    private static void checkThresholdGradient(JumpKernel kernel, CodePath path) {
        JumpSae m = model(kernel, 41);
        m.setCodePath(path);
        INDArray x = data(42);
        placeThresholdsNearTheData(m, x);
        Loss loss = Losses.mseL1(0.01);

        m.zeroGrad();
        SaeOutput out = m.forward(x);
        INDArray d = m.getDictionary();
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        loss.evaluate(x, out, d, g);
        OutputGradients grads = g.toOutputGradients();
        INDArray gz = grads.reconstruction().mmul(d.transpose()).addi(grads.denseCodes(out.codes()));
        // cauchy's unbounded support leaves no band to select: always dense
        assertEquals(path == CodePath.SPARSE && kernel != JumpKernel.CAUCHY, m.lastForwardWasSparse());
        m.backward(grads);
        INDArray r = Transforms.relu(out.preCodes(), true);
        double[] analytic = m.thresholds().grad().toDoubleVector();
        double[] t = m.thresholds().value().toDoubleVector();

        int nonZero = 0;
        for (int j = 0; j < CONCEPTS; j++) {
            // dL/dt_j = theta_j sum_b -(theta_j / eps) K(r_bj - theta_j) dL/dz_bj
            double theta = Math.exp(t[j]);
            double eps = BANDWIDTH;
            double expected = 0;
            double magnitude = 0;
            for (int b = 0; b < BATCH; b++) {
                double term =
                        theta * -(theta / eps) * kernel(kernel, r.getDouble(b, j) - theta, eps) * gz.getDouble(b, j);
                expected += term;
                magnitude += Math.abs(term);
            }
            // the engine's kernel constants and some kernel values are rounded to float32: a few
            // float32 roundings per term, against this float64 recomputation
            double tolerance = 4 * FLOAT32_ROUNDOFF * magnitude;
            if (path == CodePath.SPARSE) { // the terms beyond the support, each below 1e-18 of a peak term (<= 2/eps)
                double largestG =
                        Transforms.abs(gz.getColumn(j), true).maxNumber().doubleValue();
                tolerance += 1e-18 * BATCH * theta * (theta / eps) * (2 / eps) * largestG;
            }
            assertEquals(
                    expected,
                    analytic[j],
                    tolerance,
                    String.format(Locale.ROOT, "%s: dL/dt[%d] (terms up to %.3g in magnitude)", kernel, j, magnitude));
            nonZero += expected != 0 ? 1 : 0;
        }
        assertTrue(
                nonZero >= CONCEPTS / 2,
                kernel + ": only " + nonZero + " thresholds have data within the kernel's support");
    }

    @ParameterizedTest(name = "{0} kernel")
    @EnumSource(
            value = JumpKernel.class,
            names = {"SILVERMAN", "RECTANGLE"})
    void everyOtherParameterGetsTheExactGradient(JumpKernel kernel) {
        checkOtherParameters(kernel, CodePath.DENSE);
    }

    @ParameterizedTest(name = "{0} kernel")
    @EnumSource(
            value = JumpKernel.class,
            names = {"SILVERMAN", "RECTANGLE"})
    void everyOtherParameterGetsTheExactGradientOnTheSparsePath(JumpKernel kernel) {
        checkOtherParameters(kernel, CodePath.SPARSE);
    }

    private static void checkOtherParameters(JumpKernel kernel, CodePath path) {
        JumpSae m = model(kernel, 43);
        m.setCodePath(path);
        INDArray x = data(44);
        placeThresholdsNearTheData(m, x);
        double margin = closestToAKink(m, x);
        assertTrue(
                margin > GradientCheck.KINK_MARGIN,
                "an input lies " + margin + " from a ReLU or jump kink; choose other seeds");
        VariantGradientCheckTest.check(m, x, Losses.mseL1(0.01), Set.of(JumpSae.THRESHOLDS));
    }

    /** The kernels of SEMANTICS.md, "JumpReLU", with {@code h = eps / 2} and {@code s = u / h}. */
    private static double kernel(JumpKernel kernel, double u, double eps) {
        double h = eps / 2;
        double s = u / h;
        return switch (kernel) {
            case RECTANGLE -> Math.abs(u) <= h ? 1 / eps : 0;
            case TRIANGULAR -> Math.abs(s) <= 1 ? (1 - Math.abs(s)) / h : 0;
            case EPANECHNIKOV -> Math.abs(s) <= 1 ? 0.75 * (1 - s * s) / h : 0;
            case QUARTIC -> Math.abs(s) <= 1 ? 15.0 / 16 * (1 - s * s) * (1 - s * s) / h : 0;
            case COSINE -> Math.abs(u) <= eps ? (1 + Math.cos(Math.PI * u / eps)) / 2 : 0;
            case GAUSSIAN -> Math.exp(-s * s / 2) / (eps * Math.sqrt(2 * Math.PI));
            case CAUCHY -> 1 / (1 + s * s) / (Math.PI * h);
            case SILVERMAN ->
                Math.exp(-Math.abs(s) / Math.sqrt(2)) * Math.sin(Math.abs(s) / Math.sqrt(2) + Math.PI / 4) / h;
        };
    }

    private static JumpSae model(JumpKernel kernel, long seed) {
        JumpSae m = TestModels.jump(
                Variants.unprojected(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, seed)), kernel, BANDWIDTH);
        GradientFixtures.jitterConstants(m, new SeededRandom(seed + 1000));
        m.train();
        return m;
    }

    private static INDArray data(long seed) {
        return new SeededRandom(seed).normal(DType.FLOAT64, 1.0, BATCH, INPUT);
    }

    /**
     * Sets each threshold {@code theta_j} a quarter to three eighths of the bandwidth away from the
     * largest {@code r_bj} of the batch, above it for even {@code j} (that code is cut) and below it
     * for odd {@code j} (kept): inside every kernel's support, yet away from the jump.
     */
    private static void placeThresholdsNearTheData(JumpSae m, INDArray x) {
        INDArray r = Transforms.relu(m.forward(x).preCodes(), true);
        INDArray t = m.thresholds().value();
        for (int j = 0; j < CONCEPTS; j++) {
            double largest = r.getColumn(j).maxNumber().doubleValue();
            double offset = (0.25 + 0.125 * (j % 3) / 2) * BANDWIDTH * (j % 2 == 0 ? 1 : -1);
            if (largest > BANDWIDTH) {
                t.putScalar(j, Math.log(largest + offset));
            }
        }
        m.thresholds().markChanged();
    }

    /** The smallest distance of a pre-code from 0 or of a ReLU'd pre-code from its threshold. */
    private static double closestToAKink(JumpSae m, INDArray x) {
        INDArray pre = m.forward(x).preCodes();
        INDArray theta = Transforms.exp(m.thresholds().value(), true);
        double toZero = Transforms.abs(pre, true).minNumber().doubleValue();
        double toTheta = Transforms.abs(Transforms.relu(pre, true).subiRowVector(theta), true)
                .minNumber()
                .doubleValue();
        return Math.min(toZero, toTheta);
    }
}
