package dev.saekit.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Every sparse product equals its dense counterpart, with empty rows and unused concepts included. */
class SparseCodesTest {
    /** Codes [150, 90] with about 6 non-zeros per row, row 3 empty, concepts 80.. never used. */
    private static INDArray codes(DType type) {
        return codes(type, 6);
    }

    /** Codes [150, 90] with up to {@code perRow} non-zeros per row, row 3 empty, concepts 80.. never used. */
    private static INDArray codes(DType type, int perRow) {
        SeededRandom rng = new SeededRandom(5);
        double[][] z = new double[150][90];
        for (int r = 0; r < 150; r++) {
            if (r == 3) {
                continue;
            }
            for (int n = 0; n < perRow; n++) {
                z[r][rng.nextInt(80)] = rng.nextDouble() * 2 - 0.5;
            }
        }
        return Tensors.matrix(type, z);
    }

    /**
     * The sparse kernel and ND4J's dense product sum the same products, each in its own order (the
     * dense one adding exact zeros in between): two sums of {@code terms} products whose magnitudes
     * add up to the largest entry of {@code |a| @ |b|}, each in the arrays' dtype.
     */
    private static double tolerance(DType type, INDArray a, INDArray b, long terms) {
        return 2 * Tolerance.sum(type, Tolerance.productMagnitude(a, b), terms);
    }

    /**
     * Both ways of computing the products: about 6 of the 80 used concepts per row (7%) run entry by
     * entry; about 25 (31%, AuxK's kind of codes) run as dense products over the used concepts.
     */
    @ParameterizedTest
    @CsvSource({"FLOAT32, 6", "FLOAT64, 6", "FLOAT32, 30", "FLOAT64, 30"})
    void theProductsEqualTheDenseOnes(DType type, int perRow) {
        INDArray z = codes(type, perRow);
        SparseCodes s = SparseCodes.of(z, null);
        double share = s.nonZeros() / (150.0 * 80);
        assertEquals(perRow > 6, share >= UsedConcepts.DENSE_SHARE, "share of non-zeros among used concepts " + share);
        SeededRandom rng = new SeededRandom(6);
        INDArray d = rng.normal(type, 1.0, 90, 33);
        INDArray g = rng.normal(type, 1.0, 150, 33);

        assertEquals(
                z.neq(0)
                        .castTo(org.nd4j.linalg.api.buffer.DataType.INT)
                        .sumNumber()
                        .intValue(),
                s.nonZeros());
        assertEquals(0, s.nonZerosOfRow(3));

        INDArray decoded = s.decode(d, Tensors.zeros(type, 150, 33).addi(7)); // overwrites what was there
        Tolerance.assertClose(z.mmul(d), decoded, tolerance(type, z, d, 90), "z d");

        double[] dots = s.dotsAt(g, d, null);
        INDArray dense = g.mmul(d.transpose());
        double dotTolerance = tolerance(type, g, d.transpose(), 33);
        int e = 0;
        for (int r = 0; r < 150; r++) {
            for (int j = 0; j < 90; j++) {
                if (z.getDouble(r, j) != 0) {
                    assertEquals(dense.getDouble(r, j), dots[e++], dotTolerance, "g d^T at (" + r + ", " + j + ")");
                }
            }
        }

        INDArray start = rng.normal(type, 1.0, 90, 33);
        INDArray out = s.addTransposedProduct(s.values(), g, start.dup());
        double transposed = tolerance(type, z.transpose(), g, 150)
                + Tolerance.of(type, start.amaxNumber().doubleValue(), 2);
        Tolerance.assertClose(start.add(z.transpose().mmul(g)), out, transposed, "out + z^T g");
        INDArray overwritten = s.setTransposedProduct(s.values(), g, start.dup()); // rows without entries become zero
        Tolerance.assertClose(
                z.transpose().mmul(g), overwritten, tolerance(type, z.transpose(), g, 150), "z^T g, whatever out held");

        INDArray sums = s.addConceptSums(s.values(), Tensors.zeros(type, 90));
        assertArrayEquals(
                z.sum(0).toDoubleVector(),
                sums.toDoubleVector(),
                2
                        * Tolerance.sum(
                                type, Transforms.abs(z, true).sum(0).maxNumber().doubleValue(), 150));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void aRebuildReusesTheInstanceAndForgetsTheOldCodes(DType type) {
        SparseCodes s = SparseCodes.of(codes(type), null);
        INDArray few = Tensors.zeros(type, 2, 4).putScalar(1, 2, 3.0);
        SparseCodes again = SparseCodes.of(few, s);
        assertTrue(again == s);
        assertEquals(1, s.nonZeros());
        assertEquals(2, s.rows());
        INDArray d = Nd4j.eye(4).castTo(type.nd4j()).dup('c');
        Tolerance.assertClose(few, s.decode(d, Tensors.zeros(type, 2, 4)), 0.0, "decoding with the identity");
    }

    /**
     * The squares recorded for gradient clipping: written by the first product, kept up to date by a
     * second one added to it (AuxK's contribution after the model's), on both ways of computing the
     * products; each row's equals the sum of its squares read back.
     */
    @ParameterizedTest
    @CsvSource({"FLOAT32, 6", "FLOAT64, 6", "FLOAT32, 30", "FLOAT64, 30"})
    void theRecordedRowSquaresAreThoseOfTheRowsWritten(DType type, int perRow) {
        SparseCodes first = SparseCodes.of(codes(type, 6), null);
        SparseCodes second = SparseCodes.of(codes(type, perRow), null);
        INDArray x = new SeededRandom(7).normal(type, 1.0, 150, 12);
        INDArray out = Tensors.zeros(type, 90, 12).addi(99); // every row overwritten by the first product
        double[] squares = first.setTransposedProductRowSquares(first.values(), x, out);
        assertRowSquares(out, squares, type, "after the first product");
        second.addTransposedProductRowSquares(second.values(), x, out, squares);
        assertRowSquares(out, squares, type, "after a second product added to it");
    }

    private static void assertRowSquares(INDArray out, double[] squares, DType type, String when) {
        assertEquals(out.rows(), squares.length);
        for (int j = 0; j < out.rows(); j++) {
            double[] row = out.getRow(j).toDoubleVector();
            double sq = 0;
            for (double v : row) {
                sq += v * v;
            }
            // the same squares of the stored values, summed in float64 in another order
            assertEquals(sq, squares[j], Tolerance.sum(DType.FLOAT64, sq, row.length), when + ", row " + j);
        }
    }
}
