package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Vanilla and JumpReLU take the sparse path (decode and backward on the non-zero codes) or the dense
 * products; the same batch run both ways gives the same reconstruction and the same gradient of
 * every parameter, up to the rounding of sums taken in another order.
 */
class CodePathTest {
    private static final int INPUT = 24;
    private static final int CONCEPTS = 96;
    private static final int BATCH = 40;

    @ParameterizedTest
    @EnumSource(DType.class)
    void vanillaGivesTheSameStepOnBothPaths(DType type) {
        SparseAutoencoder m = TestModels.vanilla(config(type, 31));
        INDArray x = data(type, 32);
        shiftBiasToFire(m, x, 0.1);
        assertSamePaths(m, x, type);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void jumpReluGivesTheSameStepOnBothPaths(DType type) {
        for (JumpKernel kernel : List.of(JumpKernel.SILVERMAN, JumpKernel.RECTANGLE, JumpKernel.GAUSSIAN)) {
            JumpSae m = TestModels.jump(config(type, 33), kernel, 1e-3f);
            INDArray x = data(type, 34);
            thresholdsAtQuantile(m, x, 0.9);
            assertSamePaths(m, x, type);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void autoTakesTheSparsePathWhenFewCodesFire(DType type) {
        SparseAutoencoder m = TestModels.vanilla(config(type, 35));
        INDArray x = data(type, 36);
        m.train().forward(x);
        // random weights: about half the codes fire
        assertFalse(m.lastForwardWasSparse(), "dense codes, " + m.lastNonZeroCodes() + " non-zero");
        shiftBiasToFire(m, x, 0.02);
        m.forward(x);
        long nonZeros = m.lastNonZeroCodes();
        assertTrue(nonZeros > 0 && nonZeros <= SparseAutoencoder.SPARSE_PATH_MAX_DENSITY * BATCH * CONCEPTS);
        assertTrue(m.lastForwardWasSparse(), nonZeros + " non-zero codes");
        assertEquals(
                Transforms.abs(m.lastOutput().codes(), true)
                        .gt(0)
                        .castTo(org.nd4j.linalg.api.buffer.DataType.INT64)
                        .sumNumber()
                        .longValue(),
                nonZeros);
    }

    /** One forward and backward of {@code mse_l1} on each path, compared loss, outputs and gradient by gradient. */
    private static void assertSamePaths(SparseAutoencoder m, INDArray x, DType type) {
        m.setCodePath(CodePath.DENSE);
        List<INDArray> dense = step(m, x);
        assertFalse(m.lastForwardWasSparse());
        m.setCodePath(CodePath.SPARSE);
        List<INDArray> sparse = step(m, x);
        assertTrue(m.lastForwardWasSparse());
        // each value is a sum of at most INPUT + CONCEPTS + BATCH rounded products, taken in another
        // order on each path (float32: BLAS sums in float, the sparse kernels partly in double)
        double unit = type == DType.FLOAT32 ? Math.ulp(1.0f) / 2 : Math.ulp(1.0) / 2;
        double tolerance = 4.0 * (INPUT + CONCEPTS + BATCH) * unit;
        List<String> names = new ArrayList<>(List.of("loss", "codes", "reconstruction"));
        m.parameters().forEach(p -> names.add(p.name() + " gradient"));
        for (int i = 0; i < dense.size(); i++) {
            double scale =
                    Math.max(Transforms.abs(dense.get(i), true).maxNumber().doubleValue(), 1e-3);
            double error = Transforms.abs(sparse.get(i).sub(dense.get(i)), true)
                    .maxNumber()
                    .doubleValue();
            assertTrue(
                    error / scale <= tolerance,
                    m.spec().variant().name() + " " + type + " " + names.get(i) + ": relative difference "
                            + error / scale + " > " + tolerance);
        }
    }

    /** Codes, reconstruction and every parameter's gradient after one step, as copies. */
    private static List<INDArray> step(SparseAutoencoder m, INDArray x) {
        m.train();
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(m.dtype());
        g.reset(out);
        double loss = Losses.mseL1(0.01).evaluate(x, out, m.getDictionary(), g); // the L1 term on the sparse codes
        m.backward(g.toOutputGradients());
        List<INDArray> all = new ArrayList<>(List.of(
                org.nd4j.linalg.factory.Nd4j.scalar(loss),
                out.codes().dup(),
                out.reconstruction().dup()));
        for (Parameter p : m.parameters()) {
            all.add(p.grad().dup());
        }
        return all;
    }

    private static SaeConfig config(DType type, long seed) {
        // identity-normalised: a training forward leaves the weights as they are, so both paths see the same
        return Variants.unprojected(Variants.config(INPUT, CONCEPTS, type, seed));
    }

    private static INDArray data(DType type, long seed) {
        return new SeededRandom(seed).normal(type, 1.0, BATCH, INPUT);
    }

    /** Lowers the encoder's bias by the pre-codes' {@code 1 - share} quantile: about {@code share} of the codes fire. */
    private static void shiftBiasToFire(SparseAutoencoder m, INDArray x, double share) {
        double[] pre = m.train().forward(x).preCodes().dup().data().asDouble();
        java.util.Arrays.sort(pre);
        double q = pre[(int) ((1 - share) * pre.length)];
        Parameter bias = m.encoder().parameters().get(m.encoder().parameters().size() - 1);
        assertEquals(CONCEPTS, bias.value().length());
        bias.value().subi(q);
        bias.markChanged();
    }

    /** Each threshold between two of its column's ReLU'd pre-codes, at about the {@code quantile}. */
    private static void thresholdsAtQuantile(JumpSae m, INDArray x, double quantile) {
        INDArray r = Transforms.relu(m.train().forward(x).preCodes(), true);
        INDArray t = m.thresholds().value();
        int at = (int) (quantile * BATCH);
        for (int j = 0; j < CONCEPTS; j++) {
            double[] column = r.getColumn(j).dup().data().asDouble();
            java.util.Arrays.sort(column);
            double theta = (column[at - 1] + column[at]) / 2;
            if (theta > 0.05) {
                t.putScalar(j, Math.log(theta));
            }
        }
        m.thresholds().markChanged();
    }
}
