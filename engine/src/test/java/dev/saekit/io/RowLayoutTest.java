package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one flattening rule: the first rowAxes axes index rows, the others flatten into each row. */
class RowLayoutTest {

    @Test
    void imagesAreRowsOfTheirPixelsByDefault() {
        RowLayout images = RowLayout.of(new long[] {60000, 28, 28});
        assertEquals(60000, images.rows());
        assertEquals(784, images.cols()); // 28 x 28
        assertEquals("flattened [60000, 28, 28] to 60000 rows x 784", images.describe());
    }

    @Test
    void twoRowAxesMakeTokenActivationsRowsOfTheirWidth() {
        RowLayout tokens = new RowLayout(new long[] {4, 5, 3}, 2);
        assertEquals(20, tokens.rows()); // 4 x 5 tokens
        assertEquals(3, tokens.cols());
        assertEquals("flattened [4, 5, 3] to 20 rows x 3", tokens.describe());
        assertEquals("flattened [4, 5, 3] to 60 rows x 1", new RowLayout(new long[] {4, 5, 3}, 3).describe());
    }

    @Test
    void aMatrixIsReadAsItIsAndAVectorIsOneColumnAndAScalarOneValue() {
        RowLayout matrix = RowLayout.of(new long[] {100, 768});
        assertFalse(matrix.flattened());
        assertEquals("[100, 768] as 100 rows x 768", matrix.describe());
        assertEquals("", matrix.indexText(3, 4));
        RowLayout vector = RowLayout.of(new long[] {7});
        assertEquals(7, vector.rows());
        assertEquals(1, vector.cols());
        assertEquals("[7] as 7 rows x 1", vector.describe());
        RowLayout scalar = RowLayout.of(new long[0]);
        assertEquals(1, scalar.rows());
        assertEquals(1, scalar.cols());
    }

    @Test
    void aMatrixElementIsLocatedInTheStoredArray() {
        RowLayout images = RowLayout.of(new long[] {60000, 28, 28});
        // row 5, column 100 = pixel (100 / 28, 100 % 28) = (3, 16)
        assertArrayEquals(new long[] {5, 3, 16}, images.index(5, 100));
        assertEquals(" (index [5, 3, 16] of shape [60000, 28, 28])", images.indexText(5, 100));
        RowLayout tokens = new RowLayout(new long[] {2, 3, 4}, 2);
        // row 5 = sequence 1, token 2; column 3
        assertArrayEquals(new long[] {1, 2, 3}, tokens.index(5, 3));
    }

    @Test
    void moreRowAxesThanAxesOrFewerThanOneAreRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new RowLayout(new long[] {5, 4}, 3));
        assertEquals("rowAxes=3 needs an array of at least 3 axes; shape [5, 4] has 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RowLayout(new long[] {5, 4}, 0));
        assertTrue(new RowLayout(new long[0], 1).flattened());
    }

    @Test
    void sizesAreMultipliedExactly() {
        assertThrows(ArithmeticException.class, () -> RowLayout.of(new long[] {1L << 40, 1L << 40}));
    }
}
