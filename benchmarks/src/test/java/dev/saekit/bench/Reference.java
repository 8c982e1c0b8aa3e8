package dev.saekit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Straightforward computations the benchmarks' results are checked against, in double. */
final class Reference {
    /** The small sizes every test runs the benchmarks on. */
    static final int BATCH = 16;
    static final int CONCEPTS = 64;
    static final int INPUT = 8;
    static final int K = 4;

    private Reference() {
    }

    static double[][] rows(INDArray a) {
        return a.toDoubleMatrix();
    }

    static double[][] copy(double[][] a) {
        return Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
    }

    /** {@code a b}, or {@code a b^T} with {@code transposeB}. */
    static double[][] product(double[][] a, double[][] b, boolean transposeB) {
        int n = a.length;
        int inner = a[0].length;
        int m = transposeB ? b.length : b[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double sum = 0;
                for (int p = 0; p < inner; p++) {
                    sum += a[i][p] * (transposeB ? b[j][p] : b[p][j]);
                }
                out[i][j] = sum;
            }
        }
        return out;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /** Equal within {@code 1e-5} relative to {@code max(1, |expected|)}. */
    static void assertClose(double expected, double actual, String where) {
        assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), where);
    }

    static void assertClose(double[][] expected, INDArray actual, String what) {
        double[][] got = rows(actual);
        assertEquals(expected.length, got.length, what + ": rows");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, got[i].length, what + ": columns");
            for (int j = 0; j < expected[i].length; j++) {
                assertClose(expected[i][j], got[i][j], what + " at [" + i + ", " + j + "]");
            }
        }
    }
}
