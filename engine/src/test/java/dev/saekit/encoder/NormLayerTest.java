package dev.saekit.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** LayerNorm and BatchNorm1d forward passes and BatchNorm's running statistics, worked by hand. */
class NormLayerTest {
    private static final double EPS = NormLayer.EPS;
    /**
     * A normalised output: mean, variance (a sum of squares up to 9), epsilon, square root,
     * reciprocal, then the affine map, each off by a rounding of values up to 9.
     */
    private static final double FORWARD = Tolerance.f64(9, 12);

    private static INDArray matrix(double[][] rows) {
        return Tensors.matrix(DType.FLOAT64, rows);
    }

    private static double[] values(NormLayer layer, String suffix) {
        for (Parameter p : layer.parameters()) {
            if (p.name().endsWith(suffix)) {
                return p.value().castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
            }
        }
        throw new AssertionError("no parameter " + suffix);
    }

    @Test
    void layerNormStandardisesEachRowThenAppliesItsAffine() {
        // row 0 = (1, 2, 3): mean 2, biased var (1 + 0 + 1) / 3 = 2/3
        // row 1 = (2, 2, 5): mean 3, biased var (1 + 1 + 4) / 3 = 2
        // y = (x - mean) / sqrt(var + 1e-5) * w + b, with w = (1, 2, 0.5), b = (0, 1, -1)
        LayerNormLayer ln = new LayerNormLayer("ln", 3, DType.FLOAT64);
        ln.parameters().get(0).assign(Tensors.fromFlat(DType.FLOAT64, new double[] {1, 2, 0.5}, 3));
        ln.parameters().get(1).assign(Tensors.fromFlat(DType.FLOAT64, new double[] {0, 1, -1}, 3));
        double[][] y =
                ln.forward(matrix(new double[][] {{1, 2, 3}, {2, 2, 5}}), true).toDoubleMatrix();
        double r0 = 1 / Math.sqrt(2.0 / 3 + EPS);
        double r1 = 1 / Math.sqrt(2.0 + EPS);
        assertArrayEquals(new double[] {-r0, 1, 0.5 * r0 - 1}, y[0], FORWARD);
        assertArrayEquals(new double[] {-r1, -2 * r1 + 1, 0.5 * 2 * r1 - 1}, y[1], FORWARD);
    }

    @Test
    void layerNormBehavesTheSameInEvaluation() {
        LayerNormLayer ln = new LayerNormLayer("ln", 3, DType.FLOAT64);
        double[] train = ln.forward(matrix(new double[][] {{1, 2, 3}}), true).toDoubleMatrix()[0];
        double[] eval = ln.forward(matrix(new double[][] {{1, 2, 3}}), false).toDoubleMatrix()[0];
        assertArrayEquals(train, eval, 0.0);
    }

    @Test
    void batchNormStandardisesEachColumnOverTheBatch() {
        // column 0 = (1, 3): mean 2, biased var 1;  column 1 = (2, 6): mean 4, biased var 4
        BatchNormLayer bn = new BatchNormLayer("bn", 2, DType.FLOAT64);
        double[][] y = bn.forward(matrix(new double[][] {{1, 2}, {3, 6}}), true).toDoubleMatrix();
        double c0 = 1 / Math.sqrt(1 + EPS);
        double c1 = 2 / Math.sqrt(4 + EPS);
        assertArrayEquals(new double[] {-c0, -c1}, y[0], FORWARD);
        assertArrayEquals(new double[] {c0, c1}, y[1], FORWARD);
    }

    @Test
    void batchNormUpdatesItsRunningStatisticsWithMomentumAndTheUnbiasedVariance() {
        BatchNormLayer bn = new BatchNormLayer("bn", 2, DType.FLOAT64);
        assertArrayEquals(new double[] {0, 0}, values(bn, "running_mean"), 0.0);
        assertArrayEquals(new double[] {1, 1}, values(bn, "running_var"), 0.0);

        bn.forward(matrix(new double[][] {{1, 2}, {3, 6}}), true);
        // mean (2, 4): 0.9 * 0 + 0.1 * (2, 4) = (0.2, 0.4)
        // unbiased var (2, 8): 0.9 * 1 + 0.1 * (2, 8) = (1.1, 1.7)
        // (the batch statistics, then two products and a sum of values up to 8)
        assertArrayEquals(new double[] {0.2, 0.4}, values(bn, "running_mean"), Tolerance.f64(4, 4));
        assertArrayEquals(new double[] {1.1, 1.7}, values(bn, "running_var"), Tolerance.f64(8, 6));
        assertArrayEquals(new double[] {1}, values(bn, "num_batches_tracked"), 0.0);

        bn.forward(matrix(new double[][] {{0, 0}, {0, 0}}), true);
        // mean 0, var 0: (0.18, 0.36) and (0.99, 1.53)
        assertArrayEquals(new double[] {0.18, 0.36}, values(bn, "running_mean"), Tolerance.f64(4, 6));
        assertArrayEquals(new double[] {0.99, 1.53}, values(bn, "running_var"), Tolerance.f64(8, 9));
        assertArrayEquals(new double[] {2}, values(bn, "num_batches_tracked"), 0.0);

        // evaluation normalises with the running statistics and leaves them alone
        double[] y = bn.forward(matrix(new double[][] {{1, 1}}), false).toDoubleMatrix()[0];
        assertArrayEquals(new double[] {0.82 / Math.sqrt(0.99 + EPS), 0.64 / Math.sqrt(1.53 + EPS)}, y, FORWARD);
        assertArrayEquals(new double[] {2}, values(bn, "num_batches_tracked"), 0.0);
        assertArrayEquals(new double[] {0.18, 0.36}, values(bn, "running_mean"), Tolerance.f64(4, 6));
    }

    @Test
    void batchNormNamesItsParametersAndBuffersAsTorchDoes() {
        BatchNormLayer bn = new BatchNormLayer("encoder.final_block.1", 3, DType.FLOAT32);
        List<String> names = bn.parameters().stream().map(Parameter::name).toList();
        assertEquals(
                List.of(
                        "encoder.final_block.1.weight",
                        "encoder.final_block.1.bias",
                        "encoder.final_block.1.running_mean",
                        "encoder.final_block.1.running_var",
                        "encoder.final_block.1.num_batches_tracked"),
                names);
        assertEquals(
                List.of(true, true, false, false, false),
                bn.parameters().stream().map(Parameter::isTrainable).toList());
        assertEquals(DataType.LONG, bn.parameters().get(4).value().dataType());
    }
}
