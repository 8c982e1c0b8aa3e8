package dev.saekit.kernel;

/**
 * Dot products over Java arrays for the kernels, summed in double over eight partial sums: the
 * additions of different sums are independent, so they overlap in the pipeline instead of waiting
 * on one another (a single running sum is bound by the latency of each addition). float products
 * are formed in double, where they are exact.
 */
final class Sums {
    private Sums() {}

    /** {@code sum(a[i] * b[i])} over {@code [0, n)}; {@code a} may be {@code b} (a sum of squares). */
    static double dot(float[] a, float[] b, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            s0 += (double) a[i] * b[i];
            s1 += (double) a[i + 1] * b[i + 1];
            s2 += (double) a[i + 2] * b[i + 2];
            s3 += (double) a[i + 3] * b[i + 3];
            s4 += (double) a[i + 4] * b[i + 4];
            s5 += (double) a[i + 5] * b[i + 5];
            s6 += (double) a[i + 6] * b[i + 6];
            s7 += (double) a[i + 7] * b[i + 7];
        }
        for (; i < n; i++) {
            s0 += (double) a[i] * b[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** {@code sum(a[i] * b[i])} over {@code [0, n)}; {@code a} may be {@code b}. */
    static double dot(double[] a, double[] b, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
            s4 += a[i + 4] * b[i + 4];
            s5 += a[i + 5] * b[i + 5];
            s6 += a[i + 6] * b[i + 6];
            s7 += a[i + 7] * b[i + 7];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
