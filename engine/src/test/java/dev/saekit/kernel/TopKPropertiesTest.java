package dev.saekit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Properties of our top-k kernels against a sort-based reference. */
class TopKPropertiesTest {

    @Property(tries = 60)
    void perRowKeepsExactlyTheKLargestOfEachRow(
            @ForAll @IntRange(min = 1, max = 12) int rows,
            @ForAll @IntRange(min = 1, max = 70) int cols,
            @ForAll @IntRange(min = 1, max = 70) int kWanted,
            @ForAll long seed) {
        int k = Math.min(kWanted, cols);
        INDArray v = new SeededRandom(seed).normal(DType.FLOAT32, 1.0, rows, cols);
        INDArray out = TopK.perRow(v, k, v.ulike());
        for (int r = 0; r < rows; r++) {
            double[] row = v.getRow(r).toDoubleVector();
            double[] kept = out.getRow(r).toDoubleVector();
            double[] sorted = row.clone();
            Arrays.sort(sorted);
            double kth = sorted[cols - k];
            int nonZero = 0;
            for (int j = 0; j < cols; j++) {
                if (kept[j] != 0) {
                    nonZero++;
                    assertEquals(row[j], kept[j], 0.0, "a kept entry keeps its value");
                    assertTrue(row[j] >= kth, "only the k largest are kept");
                }
            }
            assertTrue(nonZero <= k, "at most k non-zeros per row");
            assertEquals(k, nonZero, "k survive when no value is zero");
        }
    }

    @Property(tries = 60)
    void kthLargestOverTheBatchMatchesSorting(
            @ForAll @IntRange(min = 1, max = 40) int rows,
            @ForAll @IntRange(min = 1, max = 90) int cols,
            @ForAll @IntRange(min = 1, max = 4000) int kWanted,
            @ForAll long seed) {
        long k = Math.min(kWanted, (long) rows * cols);
        INDArray v = new SeededRandom(seed).normal(DType.FLOAT64, 1.0, rows, cols);
        double[] all = v.dup().data().asDouble();
        Arrays.sort(all);
        assertEquals(all[all.length - (int) k], TopK.kthLargest(v, k), 0.0);
    }

    @Property(tries = 30)
    void tiesKeepTheLowestIndicesSoExactlyKSurvive(@ForAll @IntRange(min = 1, max = 9) int k) {
        INDArray v = dev.saekit.tensor.Tensors.ones(DType.FLOAT32, 3, 9);
        INDArray out = TopK.perRow(v, k, v.ulike());
        for (int r = 0; r < 3; r++) {
            double[] kept = out.getRow(r).toDoubleVector();
            for (int j = 0; j < 9; j++) {
                assertEquals(j < k ? 1.0 : 0.0, kept[j], 0.0);
            }
        }
    }
}
