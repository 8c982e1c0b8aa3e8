package dev.saekit.bench;

import static dev.saekit.bench.Reference.BATCH;
import static dev.saekit.bench.Reference.CONCEPTS;
import static dev.saekit.bench.Reference.K;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopKBenchTest {
    private static TopKBench small(String dtype) {
        TopKBench b = new TopKBench();
        b.batch = BATCH;
        b.concepts = CONCEPTS;
        b.k = K;
        b.dtype = dtype;
        b.setup();
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void perRowKeepsWhatSortingEachRowKeeps(String dtype) {
        TopKBench b = small(dtype);
        double[][] pre = Reference.rows(b.preCodes);

        double[][] got = Reference.rows(b.perRow());

        for (int r = 0; r < BATCH; r++) {
            double[] row = pre[r];
            // descending by value, ties to the lowest column
            Integer[] order = IntStream.range(0, CONCEPTS).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> -row[j]).thenComparing(j -> j));
            double[] expected = new double[CONCEPTS];
            for (int i = 0; i < K; i++) {
                expected[order[i]] = row[order[i]];
            }
            assertArrayEquals(expected, got[r], "row " + r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void batchKthLargestIsTheKTimesBatchThValueOfTheSortedBatch(String dtype) {
        TopKBench b = small(dtype);
        double[] all = b.preCodes.dup().data().asDouble();
        Arrays.sort(all);

        assertEquals(all[all.length - K * BATCH], b.batchKthLargest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void theTrainingPathsSelectWhatTheDenseOnesSelect(String dtype) {
        TopKBench b = small(dtype);
        double[] perRow = b.perRow().dup().data().asDouble();
        assertArrayEquals(
                perRow, b.perRowSparse().toDense(b.codes.ulike()).data().asDouble());

        double[] all = b.preCodes.dup().data().asDouble();
        double[] sorted = all.clone();
        Arrays.sort(sorted);
        double t = sorted[sorted.length - K * BATCH];
        assertEquals(t, b.batchKeepLargest());
        double[] kept = b.sparse.toDense(b.codes.ulike()).data().asDouble();
        for (int i = 0; i < all.length; i++) {
            assertEquals(all[i] >= t ? all[i] : 0.0, kept[i], "entry " + i);
        }
    }
}
