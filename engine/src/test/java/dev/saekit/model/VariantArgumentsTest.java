package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments to parts shared by several variants are rejected with the field and the value
 * named; each variant's own settings are checked in its test class ({@code TopKSaeTest}, ...).
 */
class VariantArgumentsTest {
    private static void rejected(Executable build, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' mentions " + w);
        }
    }

    @Test
    void archetypalDictionaryNeedsEnoughPointsAndAPositiveDelta() {
        rejected(
                () -> new RelaxedArchetypalDictionary(8, Tensors.zeros(DType.FLOAT32, 5, 4), 1.0, true, DType.FLOAT32),
                "nbConcepts=8",
                "got 5");
        rejected(
                () -> new RelaxedArchetypalDictionary(8, Tensors.zeros(DType.FLOAT32, 8, 4), 0.0, true, DType.FLOAT32),
                "delta",
                "0.0");
    }
}
