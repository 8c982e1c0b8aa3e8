package dev.saekit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.saekit.tensor.DType;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Straightforward computations the benchmarks' results are checked against, in double. */
final class Reference {
    /** The small sizes every test runs the benchmarks on. */
    static final int BATCH = 16;

    static final int CONCEPTS = 64;
    static final int INPUT = 8;
    static final int K = 4;

    private Reference() {}

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

    /** {@code |a|}, entry by entry. */
    static double[][] abs(double[][] a) {
        return Arrays.stream(a)
                .map(r -> Arrays.stream(r).map(Math::abs).toArray())
                .toArray(double[][]::new);
    }

    /**
     * What a result of {@code like}'s dtype can be off by after {@code operations} roundings at
     * {@code magnitude}: the benchmark computes in that dtype, this class in double from the same
     * inputs, so the dtype's machine epsilon bounds each rounding.
     */
    static double tolerance(INDArray like, double magnitude, int operations) {
        return operations * DType.of(like.dataType()).machineEpsilon() * Math.abs(magnitude);
    }

    /**
     * Equal within {@link #tolerance} of each entry's magnitude: for a product, the entries of
     * {@code |a| |b|} (the sum of the summed terms' magnitudes) with two roundings per term.
     */
    static void assertClose(double[][] expected, INDArray actual, double[][] magnitude, int operations, String what) {
        double[][] got = rows(actual);
        assertEquals(expected.length, got.length, what + ": rows");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i].length, got[i].length, what + ": columns");
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(
                        expected[i][j],
                        got[i][j],
                        tolerance(actual, magnitude[i][j], operations),
                        what + " at [" + i + ", " + j + "]");
            }
        }
    }
}
