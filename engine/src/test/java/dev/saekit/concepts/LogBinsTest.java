package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.concepts.ConceptStatistics.Settings;
import org.junit.jupiter.api.Test;

/** A value on an edge goes to the bin above it, one float below to the bin below; beyond the range to under- or overflow. */
class LogBinsTest {
    @Test
    void powersOfTenStartTheirDecadesBin() {
        ConceptStatistics s = new ConceptStatistics(Settings.of(1).withTop(0).withSamples(0));
        float[] values = {1e-4f, 1f, 10f, 1e3f, 1e4f, 9.9e-5f, Float.MIN_VALUE, Float.MAX_VALUE, -1f, -1e-5f, -2e4f};
        s.add(0, values.length, range(values.length), new int[values.length], values, null);
        Histogram h = s.histogram(0);
        assertEquals(81, h.edges().length);
        assertEquals(1e-4f, (float) h.edges()[0]);
        assertEquals(1f, (float) h.edges()[40]);
        assertEquals(1e4f, (float) h.edges()[80]);
        long[] want = new long[80];
        want[0] = 1; // 1e-4
        want[40] = 1; // 1
        want[50] = 1; // 10
        want[70] = 1; // 1000
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(h.counts()));
        assertEquals(2, h.underflow()); // 9.9e-5 and the smallest float
        assertEquals(2, h.overflow()); // 1e4 on the last edge, and the largest float
        long[] negative = new long[80];
        negative[40] = 1;
        assertEquals(java.util.Arrays.toString(negative), java.util.Arrays.toString(h.negativeCounts()));
        assertEquals(1, h.negativeUnderflow());
        assertEquals(1, h.negativeOverflow());
        assertEquals(values.length, h.total());
    }

    @Test
    void everyEdgeAndTheFloatBelowItLandInAdjacentBins() {
        int[][] ranges = {{1, -37, 38}, {3, -5, 5}, {7, -4, 4}, {10, -4, 4}, {64, -2, 3}, {1000, -3, 3}};
        for (int[] r : ranges) {
            LogBins bins = new LogBins(r[0], r[1], r[2]);
            double[] edges = bins.edges();
            assertEquals((r[2] - r[1]) * r[0] + 1, edges.length);
            for (int k = 0; k < edges.length; k++) {
                float edge = (float) edges[k];
                String at = r[0] + " per decade, edge " + k + " = " + edge;
                assertEquals(edges[k], edge, "edges are floats");
                if (k % r[0] == 0) {
                    assertEquals(Float.parseFloat("1e" + (r[1] + k / r[0])), edge, at);
                }
                double exact = Math.pow(10, r[1] + k / (double) r[0]);
                assertTrue(Math.abs(edge - exact) <= Math.ulp(edge), at + " is the float nearest " + exact);
                assertEquals(k + 1, bins.slot(edge), at);
                assertEquals(k, bins.slot(Math.nextDown(edge)), at);
                if (k > 0) {
                    assertTrue(edges[k] > edges[k - 1], at);
                }
            }
            assertEquals(0, bins.slot(Float.MIN_VALUE));
            assertEquals(edges.length, bins.slot(Float.MAX_VALUE));
        }
    }

    private static int[] range(int n) {
        int[] indptr = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            indptr[i] = i;
        }
        return indptr;
    }
}
