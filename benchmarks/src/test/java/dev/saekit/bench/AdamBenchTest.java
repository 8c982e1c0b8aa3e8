package dev.saekit.bench;

import static dev.saekit.bench.Reference.CONCEPTS;
import static dev.saekit.bench.Reference.INPUT;
import static dev.saekit.bench.Reference.assertClose;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Both Adam benchmarks make the AdamW step written out element by element. */
class AdamBenchTest {
    private static AdamBench small(String dtype) {
        AdamBench b = new AdamBench();
        b.concepts = CONCEPTS;
        b.input = INPUT;
        b.dtype = dtype;
        b.setup();
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void fusedStepIsOneAdamWStep(String dtype) {
        AdamBench b = small(dtype);
        double[][][] expected = expectedStep(b);

        b.fused();

        assertStep(expected, b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void nd4jOpsStepIsOneAdamWStep(String dtype) {
        AdamBench b = small(dtype);
        double[][][] expected = expectedStep(b);

        b.nd4jOps();

        assertStep(expected, b);
    }

    /**
     * Weights, first and second moments after one step from the benchmark's current state, then the
     * magnitudes their roundings scale with: each moment's terms (1 - beta is rounded at magnitude 1
     * and multiplies g or g^2); for the weight, itself plus its update times the update's relative
     * error, which the moments' relative errors dominate.
     */
    private static double[][][] expectedStep(AdamBench b) {
        double[][] w = Reference.rows(b.weights);
        double[][] g = Reference.rows(b.gradient);
        double[][] m = Reference.rows(b.expAvg);
        double[][] v = Reference.rows(b.expAvgSq);
        double[][] wMagnitude = new double[w.length][];
        double[][] mMagnitude = new double[w.length][];
        double[][] vMagnitude = new double[w.length][];
        for (int i = 0; i < w.length; i++) {
            wMagnitude[i] = new double[w[i].length];
            mMagnitude[i] = new double[w[i].length];
            vMagnitude[i] = new double[w[i].length];
            for (int j = 0; j < w[i].length; j++) {
                double wi = w[i][j] * (1 - AdamBench.LR * AdamBench.WEIGHT_DECAY);
                mMagnitude[i][j] = Math.abs(AdamBench.BETA1 * m[i][j]) + Math.abs(g[i][j]);
                vMagnitude[i][j] = Math.abs(AdamBench.BETA2 * v[i][j]) + g[i][j] * g[i][j];
                m[i][j] = AdamBench.BETA1 * m[i][j] + (1 - AdamBench.BETA1) * g[i][j];
                v[i][j] = AdamBench.BETA2 * v[i][j] + (1 - AdamBench.BETA2) * g[i][j] * g[i][j];
                double denom = Math.sqrt(v[i][j]) / AdamBench.BC2_SQRT + AdamBench.EPS;
                double update = AdamBench.LR / AdamBench.BC1 * m[i][j] / denom;
                w[i][j] = wi - update;
                double relative = mMagnitude[i][j] / Math.max(Math.abs(m[i][j]), Double.MIN_NORMAL)
                        + vMagnitude[i][j] / Math.max(v[i][j], Double.MIN_NORMAL)
                        + 1;
                wMagnitude[i][j] = Math.abs(w[i][j]) + Math.abs(update) * relative;
            }
        }
        return new double[][][] {w, m, v, wMagnitude, mMagnitude, vMagnitude};
    }

    private static void assertStep(double[][][] expected, AdamBench b) {
        INDArray[] actual = {b.weights, b.expAvg, b.expAvgSq};
        String[] names = {"weights", "first moment", "second moment"};
        for (int i = 0; i < actual.length; i++) {
            // a dozen roundings: decay, moments, square root, bias corrections, epsilon, division, update
            assertClose(expected[i], actual[i], expected[i + 3], 12, names[i]);
        }
    }
}
