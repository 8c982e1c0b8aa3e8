package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code zeroGrad()} defers its zeros: a backward pass that overwrites a gradient whole skips
 * them, every other reader sees them. A step's gradients never carry anything of the step before.
 */
class ZeroGradTest {

    @Test
    void zeroGradIsSeenByEveryReaderAndSkippedByAnOverwrite() {
        Parameter p = Parameter.trainable("w", Tensors.zeros(DType.FLOAT32, 2, 3));
        p.grad().addi(5);
        assertFalse(p.gradIsZero());
        p.zeroGrad();
        assertTrue(p.gradIsZero());
        assertArrayEquals(new double[6], p.grad().data().asDouble(), 0.0, "read after zeroGrad: zeros");
        assertFalse(p.gradIsZero());

        p.grad().addi(2);
        p.zeroGrad();
        p.gradToOverwrite().assign(7);
        p.recordGradRowSquares(new double[] {3 * 49, 3 * 49});
        assertEquals(6 * 49, p.recordedGradSquaredSum(), 0.0, "recorded by the writer");
        p.gradToAddKeepingRecord();
        assertEquals(6 * 49, p.recordedGradSquaredSum(), 0.0, "kept by a writer that keeps it up to date");
        p.zeroGrad();
        assertTrue(Double.isNaN(p.recordedGradSquaredSum()), "zeroed: the record is dropped");
        p.gradToOverwrite().assign(7);
        assertFalse(p.gradIsZero(), "overwritten: the pending zeros are dropped, not written later");
        assertArrayEquals(new double[] {7, 7, 7, 7, 7, 7}, p.grad().data().asDouble(), 0.0);
    }

    static List<Variants.Factory> variants() {
        return Variants.all();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void aStepsGradientsOwnNothingOfTheStepBefore(Variants.Factory variant) {
        for (DType type : DType.values()) {
            INDArray x1 = new SeededRandom(3).normal(type, 1.0, 16, 10);
            INDArray x2 = new SeededRandom(4).normal(type, 1.0, 16, 10);
            // a: a full step on x1, then x2 (gradients overwritten where the kernels can)
            SparseAutoencoder a = variant.create(Variants.config(10, 40, type, 5));
            step(a, x1);
            a.zeroGrad();
            step(a, x2);
            // b: the same weights, its zeros written before the x2 step (every gradient accumulated)
            SparseAutoencoder b = variant.create(Variants.config(10, 40, type, 5));
            b.forward(x1);
            b.zeroGrad();
            b.parameters().stream().filter(Parameter::isTrainable).forEach(Parameter::grad);
            step(b, x2);
            for (int i = 0; i < a.parameters().size(); i++) {
                Parameter pa = a.parameters().get(i);
                if (pa.isTrainable()) {
                    // writing a sum and adding the same sum to written zeros give the same bits: 0 + s = s
                    assertArrayEquals(
                            b.parameters().get(i).grad().data().asDouble(),
                            pa.grad().data().asDouble(),
                            0.0,
                            variant + " " + type + " " + pa.name());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void aRecordedGradientSumOfSquaresIsTheGradientsOwn(Variants.Factory variant) {
        for (DType type : DType.values()) {
            INDArray x = new SeededRandom(6).normal(type, 1.0, 16, 10);
            SparseAutoencoder m = variant.create(Variants.config(10, 40, type, 7));
            step(m, x);
            m.zeroGrad();
            step(m, x);
            for (Parameter p : m.parameters()) {
                if (!p.isTrainable()) {
                    continue;
                }
                double recorded = p.recordedGradSquaredSum();
                double[] g = p.grad().data().asDouble(); // hands the gradient out: the record is dropped
                assertTrue(Double.isNaN(p.recordedGradSquaredSum()), "a gradient handed out may change");
                if (!Double.isNaN(recorded)) {
                    double sq = 0;
                    for (double v : g) {
                        sq += v * v;
                    }
                    // the same squares summed in another order: a relative error of a few units of
                    // float64's rounding per term
                    assertEquals(sq, recorded, 1e-13 * sq + Double.MIN_NORMAL, variant + " " + type + " " + p.name());
                }
            }
        }
    }

    @Test
    void aSparseBackwardRecordsTheSumOfSquaresOfTheGradientsItWrites() {
        // few codes spread over many concepts: the kernels' sparse path (not the products over the
        // used concepts), which records what it writes
        for (DType type : DType.values()) {
            SparseAutoencoder m =
                    TestModels.topK(SaeConfig.of(10, 2000).withDType(type).withSeed(8), 2);
            m.zeroGrad(); // as a trainer's step starts: the backward then writes the gradients whole
            step(m, new SeededRandom(9).normal(type, 1.0, 64, 10));
            long recorded = m.parameters().stream()
                    .filter(Parameter::isTrainable)
                    .filter(p -> !Double.isNaN(p.recordedGradSquaredSum()))
                    .count();
            assertTrue(recorded >= 2, type + ": the encoder's and the dictionary's weights, was " + recorded);
        }
    }

    private static void step(SparseAutoencoder model, INDArray x) {
        SaeOutput out = model.forward(x);
        INDArray g = out.reconstruction().sub(x).muli(2.0 / x.length());
        model.backward(new OutputGradients(g, null, null));
    }
}
