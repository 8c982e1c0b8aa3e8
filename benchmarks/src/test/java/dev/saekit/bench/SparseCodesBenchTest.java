package dev.saekit.bench;

import static dev.saekit.bench.Reference.BATCH;
import static dev.saekit.bench.Reference.CONCEPTS;
import static dev.saekit.bench.Reference.INPUT;
import static dev.saekit.bench.Reference.K;
import static dev.saekit.bench.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.saekit.kernel.SparseCodes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each sparse benchmark and its dense counterpart against the product written out in loops. */
class SparseCodesBenchTest {
    private static SparseCodesBench small(String dtype) {
        SparseCodesBench b = new SparseCodesBench();
        b.batch = BATCH;
        b.concepts = CONCEPTS;
        b.input = INPUT;
        b.k = K;
        b.dtype = dtype;
        b.setup();
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void buildFindsTheKNonZeroCodesOfEachRowInRowOrder(String dtype) {
        SparseCodesBench b = small(dtype);
        double[][] z = Reference.rows(b.codes);

        SparseCodes s = b.build();

        assertSame(b.sparse, s, "rebuilt into the same instance");
        assertEquals(BATCH * K, s.nonZeros());
        int e = 0;
        for (int r = 0; r < BATCH; r++) {
            assertEquals(K, s.nonZerosOfRow(r), "row " + r);
            for (int j = 0; j < CONCEPTS; j++) {
                if (z[r][j] != 0) {
                    assertEquals(z[r][j], s.values()[e++], "entry " + e);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void decodeAndDenseDecodeEqualTheProductOfCodesAndDictionary(String dtype) {
        SparseCodesBench b = small(dtype);
        double[][] expected = Reference.product(Reference.rows(b.codes), Reference.rows(b.dictionary), false);
        double[][] magnitude = Reference.product(
                Reference.abs(Reference.rows(b.codes)), Reference.abs(Reference.rows(b.dictionary)), false);

        assertClose(expected, b.decode(), magnitude, 2 * CONCEPTS, "sparse decode");
        assertClose(expected, b.decodeDense(), magnitude, 2 * CONCEPTS, "dense decode");
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void dotsAtAreTheCodesGradientAtTheNonZeroCodes(String dtype) {
        SparseCodesBench b = small(dtype);
        double[][] z = Reference.rows(b.codes);
        double[][] gdt = Reference.product(Reference.rows(b.gradient), Reference.rows(b.dictionary), true);
        double[][] magnitude = Reference.product(
                Reference.abs(Reference.rows(b.gradient)), Reference.abs(Reference.rows(b.dictionary)), true);

        double[] dots = b.dotsAt();

        int e = 0;
        for (int r = 0; r < BATCH; r++) {
            for (int j = 0; j < CONCEPTS; j++) {
                if (z[r][j] != 0) {
                    assertEquals(
                            gdt[r][j],
                            dots[e++],
                            Reference.tolerance(b.gradient, magnitude[r][j], 2 * INPUT),
                            "g D^T at [" + r + ", " + j + "]");
                }
            }
        }
        assertClose(gdt, b.dotsAtDense(), magnitude, 2 * INPUT, "dense g D^T");
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void transposedProductsAddCodesTransposedTimesGradient(String dtype) {
        SparseCodesBench b = small(dtype);
        double[][] expected =
                Reference.product(Reference.transpose(Reference.rows(b.codes)), Reference.rows(b.gradient), false);
        double[][] magnitude = Reference.product(
                Reference.abs(Reference.transpose(Reference.rows(b.codes))),
                Reference.abs(Reference.rows(b.gradient)),
                false);

        assertClose(expected, b.transposedProduct(), magnitude, 2 * BATCH, "sparse z^T g");
        SparseCodesBench dense = small(dtype);
        assertClose(expected, dense.transposedProductDense(), magnitude, 2 * BATCH, "dense z^T g");
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void conceptSumsAreTheColumnSumsOfTheCodes(String dtype) {
        SparseCodesBench b = small(dtype);
        double[][] z = Reference.rows(b.codes);
        double[][] expected = new double[1][CONCEPTS];
        double[][] magnitude = new double[1][CONCEPTS];
        for (double[] row : z) {
            for (int j = 0; j < CONCEPTS; j++) {
                expected[0][j] += row[j];
                magnitude[0][j] += Math.abs(row[j]);
            }
        }

        assertClose(expected, b.conceptSums().reshape(1, CONCEPTS), magnitude, 2 * BATCH, "sparse concept sums");
        SparseCodesBench dense = small(dtype);
        assertClose(
                expected, dense.conceptSumsDense().reshape(1, CONCEPTS), magnitude, 2 * BATCH, "dense concept sums");
    }
}
