package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.saekit.metrics.Metrics;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.StepState;
import dev.saekit.train.listeners.DeadCodeTracker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sparse codes a TopK-like forward hands out with its output: the same codes as the dense ones,
 * and the same L0 and dead concepts when counted on them.
 */
class SparseOutputTest {

    @ParameterizedTest
    @ValueSource(strings = {"topk", "batchtopk", "ra_topk", "matryoshka_prefix"})
    void sparseCodesAreTheDenseCodesNonZeros(String variant) {
        for (DType type : DType.values()) {
            SparseAutoencoder model = factory(variant).create(Variants.config(10, 40, type, 5));
            INDArray x = new SeededRandom(9).normal(type, 1.0, 33, 10);
            SaeOutput out = model.forward(x);
            assertNotNull(out.sparseCodes(), variant + " hands out its sparse codes");
            assertArrayEquals(
                    out.codes().data().asDouble(),
                    out.sparseCodes().toDense(out.codes().ulike()).data().asDouble(),
                    0.0);

            assertEquals(Metrics.l0PerSample(out.codes()), Metrics.l0PerSample(out), 0.0, "L0 on the sparse codes");

            DeadCodeTracker dense = new DeadCodeTracker();
            dense.update(out.codes());
            DeadCodeTracker sparse = new DeadCodeTracker();
            sparse.onStep(new StepState(0, 1, 1, 1, 1, 0, 0, 0, 0, 0, out));
            assertArrayEquals(dense.deadMask(), sparse.deadMask());
            assertEquals(dense.deadFraction(), sparse.deadFraction(), 0.0);

            assertNull(out.detach().sparseCodes(), "a detached output has no view of the model's sparse codes");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void denseVariantsHaveNoSparseCodes(DType type) {
        for (String variant : new String[] {"vanilla", "jumprelu", "mp", "msae"}) {
            SparseAutoencoder model = factory(variant).create(Variants.config(10, 40, type, 5));
            assertNull(
                    model.forward(new SeededRandom(9).normal(type, 1.0, 8, 10)).sparseCodes(), variant);
        }
    }

    private static Variants.Factory factory(String name) {
        return Variants.all().stream()
                .filter(f -> f.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
