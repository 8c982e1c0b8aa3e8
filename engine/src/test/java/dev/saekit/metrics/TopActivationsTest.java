package dev.saekit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Per-concept top hits against a sort of every activation; merging equals one pass. */
class TopActivationsTest {
    private static final int ROWS = 300;
    private static final int CONCEPTS = 7;

    /** Sparse non-negative codes with deliberate ties (values on a coarse grid). */
    private static double[][] codes(long seed) {
        Random rng = new Random(seed);
        double[][] c = new double[ROWS][CONCEPTS];
        for (double[] row : c) {
            for (int j = 0; j < CONCEPTS; j++) {
                row[j] = rng.nextDouble() < 0.3 ? rng.nextInt(20) * 0.25 : 0;
            }
        }
        return c;
    }

    private static INDArray block(double[][] c, int from, int to) {
        double[] flat = new double[(to - from) * CONCEPTS];
        for (int r = from; r < to; r++) {
            System.arraycopy(c[r], 0, flat, (r - from) * CONCEPTS, CONCEPTS);
        }
        return Tensors.fromFlat(DType.FLOAT64, flat, to - from, CONCEPTS);
    }

    private static List<TopActivations.Hit> expected(double[][] c, int concept, int top) {
        List<TopActivations.Hit> all = new ArrayList<>();
        for (int r = 0; r < c.length; r++) {
            if (c[r][concept] > 0) {
                all.add(new TopActivations.Hit(r, c[r][concept]));
            }
        }
        all.sort(Comparator.comparingDouble(TopActivations.Hit::value)
                .reversed()
                .thenComparingLong(TopActivations.Hit::row));
        return all.subList(0, Math.min(top, all.size()));
    }

    @Test
    void keepsTheLargestValuesTiesToTheLowerRowAndCountsFirings() {
        double[][] c = codes(1);
        TopActivations acc = new TopActivations(CONCEPTS, 5);
        for (int from = 0; from < ROWS; from += 64) {
            acc.add(from, block(c, from, Math.min(ROWS, from + 64)));
        }
        assertEquals(ROWS, acc.rows());
        for (int j = 0; j < CONCEPTS; j++) {
            assertEquals(expected(c, j, 5), acc.top(j), "concept " + j);
            long fired = 0;
            double max = 0;
            for (double[] row : c) {
                fired += row[j] > 0 ? 1 : 0;
                max = Math.max(max, row[j]);
            }
            assertEquals(fired, acc.fired(j));
            assertEquals(max, acc.max(j));
            assertEquals(fired / (double) ROWS, acc.density(j));
        }
    }

    @Test
    void mergingTwoHalvesInEitherOrderEqualsOnePass() {
        double[][] c = codes(2);
        TopActivations whole = new TopActivations(CONCEPTS, 4);
        whole.add(0, block(c, 0, ROWS));
        TopActivations first = new TopActivations(CONCEPTS, 4);
        first.add(0, block(c, 0, 120));
        TopActivations second = new TopActivations(CONCEPTS, 4);
        second.add(120, block(c, 120, ROWS));
        second.merge(first); // the later rows first: the result must not depend on the order
        for (int j = 0; j < CONCEPTS; j++) {
            assertEquals(whole.top(j), second.top(j));
            assertEquals(whole.fired(j), second.fired(j));
            assertEquals(whole.max(j), second.max(j));
        }
        assertEquals(ROWS, second.rows());
    }

    @Test
    void refusesCodesOfAnotherWidth() {
        TopActivations acc = new TopActivations(CONCEPTS, 3);
        assertThrows(IllegalArgumentException.class, () -> acc.add(0, Tensors.zeros(DType.FLOAT32, 2, CONCEPTS + 1)));
        assertThrows(IllegalArgumentException.class, () -> acc.merge(new TopActivations(CONCEPTS, 4)));
    }
}
