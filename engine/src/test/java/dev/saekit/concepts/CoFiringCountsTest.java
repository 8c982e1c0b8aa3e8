package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Co-firing counts sit at their pair's place in the triangle and saturate instead of wrapping. */
class CoFiringCountsTest {
    @Test
    void saturatingAddStopsAtTheLargestInt() {
        assertEquals(11, CoFiringCounts.saturatingAdd(5, 6));
        assertEquals(Integer.MAX_VALUE, CoFiringCounts.saturatingAdd(Integer.MAX_VALUE - 1, 1));
        assertEquals(Integer.MAX_VALUE, CoFiringCounts.saturatingAdd(Integer.MAX_VALUE - 1, 2));
        assertEquals(Integer.MAX_VALUE, CoFiringCounts.saturatingAdd(Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(Integer.MAX_VALUE, CoFiringCounts.saturatingAdd(0, Integer.MAX_VALUE));
    }

    @Test
    void pairsFillTheUpperTriangleRowByRow() {
        // 4 concepts: pairs (0,1) (0,2) (0,3) (1,2) (1,3) (2,3) at 0..5
        CoFiringCounts c = new CoFiringCounts(4);
        assertEquals(6, c.counts().length);
        int k = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = i + 1; j < 4; j++) {
                assertEquals(k++, c.index(i, j));
            }
        }
        // rows {3, 0, 2}, {}, {1}, {2, 1}: pairs (0,2) (0,3) (2,3) and (1,2)
        c.addBlock(4, new int[] {0, 3, 3, 4, 6}, new int[] {3, 0, 2, 1, 2, 1});
        assertEquals("[0, 1, 1, 1, 0, 1]", java.util.Arrays.toString(c.counts()));
        assertEquals(1, c.count(3, 2));
    }

    @Test
    void countsAndMergesSaturate() {
        CoFiringCounts a = new CoFiringCounts(3);
        a.counts()[a.index(0, 1)] = Integer.MAX_VALUE - 1;
        a.addBlock(2, new int[] {0, 2, 4}, new int[] {1, 0, 0, 1});
        assertEquals(Integer.MAX_VALUE, a.count(0, 1));
        CoFiringCounts b = new CoFiringCounts(3);
        b.counts()[b.index(1, 2)] = Integer.MAX_VALUE - 3;
        a.counts()[a.index(1, 2)] = 10;
        a.mergeFrom(b);
        assertEquals(Integer.MAX_VALUE, a.count(1, 2));
        assertEquals(Integer.MAX_VALUE, a.count(0, 1));
    }

    @Test
    void rowsCountedInBatchesMidStreamEqualPairwiseLoops() {
        int concepts = 40;
        int rows = 100_000; // about 6 entries a row: the waiting rows are counted several times on the way
        CoFiringCounts c = new CoFiringCounts(concepts);
        long[][] want = new long[concepts][concepts];
        Random rng = new Random(3);
        for (int r = 0; r < rows; r++) {
            int[] row = rng.ints(0, concepts).distinct().limit(rng.nextInt(12)).toArray();
            for (int x : row) {
                c.fire(x);
            }
            c.endRow();
            for (int x : row) {
                for (int y : row) {
                    want[x][y] += x != y ? 1 : 0;
                }
            }
        }
        for (int i = 0; i < concepts; i++) {
            for (int j = 0; j < concepts; j++) {
                if (i != j) {
                    assertEquals(want[i][j], c.count(i, j), i + " with " + j);
                }
            }
        }
    }
}
