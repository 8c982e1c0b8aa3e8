package dev.saekit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The float tensor that goes in and out of a model. */
class FloatTensorTest {

    @Test
    void flattensToRowsOfTheLastDimension() {
        FloatTensor t = FloatTensor.of(new float[24], 2, 3, 4);
        assertEquals(6, t.rows());
        assertEquals(4, t.width());
        assertEquals("[2, 3, 4]", t.shapeText());
        assertEquals(1, FloatTensor.of(new float[] {5}).rows()); // a scalar is one row of one value
    }

    @Test
    void theShapeMustHoldTheData() {
        assertEquals(
                "shape [2, 3] holds 6 values but 5 were given",
                assertThrows(IllegalArgumentException.class, () -> FloatTensor.of(new float[5], 2, 3))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> FloatTensor.of(new float[0], -1, 0));
    }
}
