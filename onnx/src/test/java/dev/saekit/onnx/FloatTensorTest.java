package dev.saekit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The float tensor that goes in and out of a model, and close names. */
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
        assertEquals("shape [2, 3] holds 6 values but 5 were given",
                assertThrows(IllegalArgumentException.class, () -> FloatTensor.of(new float[5], 2, 3)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FloatTensor.of(new float[0], -1, 0));
    }

    @Test
    void closeNamesPreferThoseContainingTheNameThenTheFewestEdits() {
        List<String> names = List.of("p2o.Add.241", "p2o.Add.24", "p2o.Mul.241", "softmax_11.tmp_0", "p2o.Add.2410");
        // "Add.241" -> "p2o.Add.24": 4 insertions + 1 deletion = 5; -> "p2o.Mul.241": 4 insertions + 3 substitutions = 7
        assertEquals(List.of("p2o.Add.241", "p2o.Add.2410", "p2o.Add.24"), Names.closest("Add.241", names, 3));
        assertEquals(List.of("p2o.Add.24", "p2o.Add.241"), Names.closest("p2o.Add.25", names, 2));
        assertEquals(3, Names.distance("kitten", "sitting"));
        assertEquals(0, Names.distance("", ""));
    }
}
