package dev.saekit.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.Arrays;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The selections that go straight from pre-codes to sparse codes (with the ReLU folded in) against
 * the same selections done the long way: ReLU, dense top-k or threshold, then the non-zeros.
 */
class SparseSelectionTest {

    @Property(tries = 60)
    void perRowWithReluEqualsReluThenTopK(
            @ForAll @IntRange(min = 1, max = 12) int rows,
            @ForAll @IntRange(min = 1, max = 300) int cols,
            @ForAll @IntRange(min = 1, max = 300) int kWanted,
            @ForAll boolean float64,
            @ForAll long seed) {
        int k = Math.min(kWanted, cols);
        INDArray pre = new SeededRandom(seed).normal(float64 ? DType.FLOAT64 : DType.FLOAT32, 1.0, rows, cols);
        INDArray expected = TopK.perRow(relu(pre), k, pre.ulike());

        SparseCodes sparse = TopK.perRow(pre, k, true, new SparseCodes());
        assertArrayEquals(
                expected.data().asDouble(), sparse.toDense(pre.ulike()).data().asDouble(), 0.0);
        assertSameEntries(expected, sparse);
    }

    @Property(tries = 80)
    void perRowKeepsTheKLargestWithTiesToTheLowestColumns(
            @ForAll @IntRange(min = 1, max = 300) int rows,
            @ForAll @IntRange(min = 8, max = 400) int cols,
            @ForAll @IntRange(min = 1, max = 60) int kWanted,
            @ForAll boolean relu,
            @ForAll boolean coarse,
            @ForAll boolean special,
            @ForAll boolean float64,
            @ForAll long seed) {
        // rows over several parallel tasks, row scales jumping by 1000x (the float32 path's guess from
        // the previous row, then its guess from a sample of the row, gather far too many or too few
        // entries), coarse values for ties, and NaNs and infinities (a NaN or minus infinity is never kept)
        int k = Math.min(kWanted, cols);
        SeededRandom rng = new SeededRandom(seed);
        double[] v = rng.normal(DType.FLOAT64, 1.0, rows, cols).data().asDouble();
        double[] scales = rng.uniform(DType.FLOAT64, 0.0, 1.0, rows).data().asDouble();
        double[] u = rng.uniform(DType.FLOAT64, 0.0, 1.0, rows * cols).data().asDouble();
        for (int r = 0; r < rows; r++) {
            double scale = scales[r] < 0.2 ? 1000 : scales[r] < 0.4 ? 1e-3 : 1;
            for (int j = 0; j < cols; j++) {
                int i = r * cols + j;
                double x = v[i] * scale;
                v[i] = coarse ? Math.round(x * 2) / 2.0 : x;
                if (special && u[i] < 0.09) {
                    v[i] = u[i] < 0.03 ? Double.NaN : u[i] < 0.06 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                }
            }
        }
        INDArray pre = Nd4j.createFromArray(v)
                .reshape(rows, cols)
                .castTo(float64 ? DType.FLOAT64.nd4j() : DType.FLOAT32.nd4j())
                .dup('c');
        double[] stored = pre.data().asDouble();
        double[] expected = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            final int row = r;
            // the entries that can be kept (no NaN, no minus infinity), value descending, then column
            // ascending: the first k are kept
            Integer[] order = IntStream.range(0, cols)
                    .filter(j -> at(stored, row, cols, j, relu) > Double.NEGATIVE_INFINITY)
                    .boxed()
                    .toArray(Integer[]::new);
            Arrays.sort(order, (a, b) -> {
                int byValue = Double.compare(at(stored, row, cols, b, relu), at(stored, row, cols, a, relu));
                return byValue != 0 ? byValue : Integer.compare(a, b);
            });
            for (int i = 0; i < Math.min(k, order.length); i++) {
                expected[r * cols + order[i]] = at(stored, row, cols, order[i], relu);
            }
        }
        SparseCodes sparse = TopK.perRow(pre, k, relu, new SparseCodes());
        assertArrayEquals(expected, sparse.toDense(pre.ulike()).data().asDouble(), 0.0);
        for (int r = 0; r < rows; r++) {
            long nonZero = Arrays.stream(expected, r * cols, (r + 1) * cols)
                    .filter(x -> x != 0)
                    .count();
            assertEquals(nonZero, sparse.nonZerosOfRow(r), "row " + r + ": only the non-zero kept codes are stored");
        }
    }

    @Property(tries = 120)
    void perRowAmongKeepsTheKLargestOfTheGivenColumns(
            @ForAll @IntRange(min = 1, max = 150) int rows,
            @ForAll @IntRange(min = 2, max = 600) int cols,
            @ForAll @IntRange(min = 1, max = 40) int kWanted,
            @ForAll boolean relu,
            @ForAll boolean coarse,
            @ForAll boolean float64,
            @ForAll long seed) {
        // AuxK's selection among dead latents: a random subset of the columns, ties (coarse values),
        // a few NaNs and minus infinities (never kept), rows over several parallel tasks, row scales
        // jumping by 1000x (the float32 path's guesses then fail)
        SeededRandom rng = new SeededRandom(seed);
        double[] v = rng.normal(DType.FLOAT64, 1.0, rows, cols).data().asDouble();
        double[] u = rng.uniform(DType.FLOAT64, 0.0, 1.0, rows * cols).data().asDouble();
        double[] scales = rng.uniform(DType.FLOAT64, 0.0, 1.0, rows).data().asDouble();
        for (int i = 0; i < v.length; i++) {
            double scale = scales[i / cols] < 0.2 ? 1000 : scales[i / cols] < 0.4 ? 1e-3 : 1;
            double x = coarse ? Math.round(v[i] * 2) / 2.0 * scale : v[i] * scale;
            v[i] = u[i] < 0.02 ? Double.NaN : u[i] < 0.04 ? Double.NEGATIVE_INFINITY : x;
        }
        double[] pick = rng.uniform(DType.FLOAT64, 0.0, 1.0, cols).data().asDouble();
        int[] columns = new int[cols];
        int n = 0;
        for (int j = 0; j < cols; j++) {
            if (pick[j] < 0.3 || j == 0) {
                columns[n++] = j;
            }
        }
        int k = Math.min(kWanted, n);
        INDArray pre = Nd4j.createFromArray(v)
                .reshape(rows, cols)
                .castTo(float64 ? DType.FLOAT64.nd4j() : DType.FLOAT32.nd4j())
                .dup('c');
        double[] stored = pre.data().asDouble();
        double floor = relu ? 0.0 : Double.NEGATIVE_INFINITY;
        double[] expected = new double[rows * cols];
        int[] expectedCount = new int[rows];
        for (int r = 0; r < rows; r++) {
            final int row = r;
            // candidates above the floor (no NaN), value descending then column ascending: the first k are kept
            Integer[] order = Arrays.stream(columns, 0, n)
                    .filter(j -> stored[row * cols + j] > floor)
                    .boxed()
                    .toArray(Integer[]::new);
            Arrays.sort(order, (a, b) -> {
                int byValue = Double.compare(at(stored, row, cols, b, relu), at(stored, row, cols, a, relu));
                return byValue != 0 ? byValue : Integer.compare(a, b);
            });
            for (int i = 0; i < Math.min(k, order.length); i++) {
                expected[r * cols + order[i]] = stored[r * cols + order[i]];
                expectedCount[r]++;
            }
        }
        SparseCodes sparse = TopK.perRowAmong(pre, columns, n, k, relu, new SparseCodes());
        assertArrayEquals(expected, sparse.toDense(pre.ulike()).data().asDouble(), 0.0);
        for (int r = 0; r < rows; r++) {
            assertEquals(expectedCount[r], sparse.nonZerosOfRow(r), "row " + r + ": every kept code is stored");
        }
    }

    private static double at(double[] m, int r, int cols, int j, boolean relu) {
        double x = m[r * cols + j] + 0.0; // -0.0 sorts as 0.0
        return relu ? Math.max(x, 0.0) : x;
    }

    @Test
    void perRowNeverKeepsNaN() {
        float nan = Float.NaN;
        INDArray pre = Nd4j.createFromArray(
                new float[][] {{nan, 3f, nan, 1f, 2f, nan, 0.5f, 4f, nan, 1.5f, 2.5f, 0.1f, nan, 3.5f, 0.2f, 0.3f}});
        for (boolean relu : new boolean[] {true, false}) {
            SparseCodes s = TopK.perRow(pre, 2, relu, new SparseCodes());
            double[] dense = s.toDense(pre.ulike()).data().asDouble();
            assertEquals(4.0, dense[7], 0.0);
            assertEquals(3.5, dense[13], 0.0);
            assertEquals(2, s.nonZeros());
        }
    }

    @Property(tries = 60)
    void thresholdWithReluEqualsReluThenThreshold(
            @ForAll @IntRange(min = 1, max = 20) int rows,
            @ForAll @IntRange(min = 1, max = 200) int cols,
            @ForAll @IntRange(min = 1, max = 4000) int kWanted,
            @ForAll boolean relu,
            @ForAll long seed) {
        INDArray pre = new SeededRandom(seed).normal(DType.FLOAT32, 1.0, rows, cols);
        INDArray from = relu ? relu(pre) : pre.dup();
        long k = Math.min(kWanted, (long) rows * cols);
        double[] sorted = from.data().asDouble();
        Arrays.sort(sorted);
        double threshold = sorted[sorted.length - (int) k];
        assertEquals(threshold, TopK.kthLargest(pre, k, relu), 0.0, "k-th largest over the batch");

        SparseCodes sparse = TopK.atLeast(pre, threshold, relu, new SparseCodes());
        double[] dense = from.data().asDouble();
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] < threshold) {
                dense[i] = 0;
            }
        }
        assertArrayEquals(dense, sparse.toDense(pre.ulike()).data().asDouble(), 0.0);
    }

    @Property(tries = 80)
    void keepLargestEqualsThresholdThenFilter(
            @ForAll @IntRange(min = 1, max = 20) int rows,
            @ForAll @IntRange(min = 1, max = 200) int cols,
            @ForAll @IntRange(min = 1, max = 4000) int kWanted,
            @ForAll boolean relu,
            @ForAll boolean coarse,
            @ForAll long seed) {
        INDArray pre = new SeededRandom(seed).normal(DType.FLOAT32, 1.0, rows, cols);
        if (coarse) { // few distinct values: ties at the threshold and buckets full of equal values
            pre = Nd4j.createFromArray(Arrays.stream(pre.data().asDouble())
                            .map(v -> Math.round(v * 2) / 2.0)
                            .toArray())
                    .reshape(rows, cols)
                    .castTo(pre.dataType())
                    .dup('c');
        }
        long k = Math.min(kWanted, (long) rows * cols);
        double expected = TopK.kthLargest(pre, k, relu);
        SparseCodes reference = TopK.atLeast(pre, expected, relu, new SparseCodes());

        SparseCodes fused = new SparseCodes();
        assertEquals(expected, TopK.keepLargest(pre, k, relu, fused), 0.0);
        assertArrayEquals(
                reference.toDense(pre.ulike()).data().asDouble(),
                fused.toDense(pre.ulike()).data().asDouble(),
                0.0);
        assertSameEntries(reference.toDense(pre.ulike()), fused);
    }

    @Test
    void keepLargestOfFewPositivesKeepsThemAll() {
        INDArray pre = Nd4j.createFromArray(new float[][] {{-1f, 2f, -3f}, {0.5f, -2f, -3f}});
        SparseCodes s = new SparseCodes();
        assertEquals(0.0, TopK.keepLargest(pre, 4, true, s), 0.0);
        assertArrayEquals(
                new double[] {0, 2, 0, 0.5, 0, 0}, s.toDense(pre.ulike()).data().asDouble(), 0.0);
    }

    @Test
    void kthLargestOfManyEqualValuesRefinesEveryBitAndStillAnswers() {
        // 2M equal values overflow the gathering limit at every level: the selection fixes all 64 bits
        INDArray same = Tensors.ones(DType.FLOAT32, 2048, 1024).muli(0.375);
        assertEquals(0.375, TopK.kthLargest(same, 1_000_000), 0.0);
        same.putScalar(5, 7, 2.5);
        assertEquals(2.5, TopK.kthLargest(same, 1), 0.0);
        assertEquals(0.375, TopK.kthLargest(same, 2), 0.0);
    }

    @Test
    void kthLargestOrdersNegativeValuesZerosAndInfinities() {
        INDArray v = Nd4j.createFromArray(new double[][] {
            {-3.5, 0.0, Double.NEGATIVE_INFINITY, 1e-300}, {2.0, -1e-300, Double.POSITIVE_INFINITY, -0.0}
        });
        double[] descending = {Double.POSITIVE_INFINITY, 2.0, 1e-300, 0.0, 0.0, -1e-300, -3.5, Double.NEGATIVE_INFINITY
        };
        for (int k = 1; k <= 8; k++) {
            assertEquals(descending[k - 1], TopK.kthLargest(v, k), 0.0, "k = " + k);
        }
        assertEquals(0.0, TopK.kthLargest(v, 6, true), 0.0, "with the ReLU, negatives are zeros");
    }

    @Test
    void reluRowsWithFewerPositivesThanKKeepOnlyThePositives() {
        INDArray pre = Nd4j.createFromArray(new float[][] {{-1f, 2f, -3f, 0f, 5f}, {-1f, -2f, -3f, -4f, -5f}});
        SparseCodes s = TopK.perRow(pre, 3, true, new SparseCodes());
        assertEquals(2, s.nonZerosOfRow(0));
        assertEquals(0, s.nonZerosOfRow(1));
        assertArrayEquals(
                new double[] {0, 2, 0, 0, 5, 0, 0, 0, 0, 0},
                s.toDense(pre.ulike()).data().asDouble(),
                0.0);
    }

    private static INDArray relu(INDArray a) {
        INDArray r = a.dup('c');
        double[] v = r.data().asDouble();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(v[i], 0.0);
        }
        return Nd4j.createFromArray(v).reshape(a.shape()).castTo(a.dataType()).dup('c');
    }

    /** Entry by entry, {@code sparse} holds the non-zeros of {@code dense} in row order. */
    private static void assertSameEntries(INDArray dense, SparseCodes sparse) {
        SparseCodes fromDense = SparseCodes.of(dense, null);
        assertEquals(fromDense.nonZeros(), sparse.nonZeros());
        for (int r = 0; r < sparse.rows(); r++) {
            assertEquals(fromDense.rowStart(r), sparse.rowStart(r));
        }
        for (int e = 0; e < sparse.nonZeros(); e++) {
            assertEquals(fromDense.concept(e), sparse.concept(e));
            assertEquals(fromDense.values()[e], sparse.values()[e], 0.0);
        }
    }
}
