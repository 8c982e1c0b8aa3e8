package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.encoder.Codes;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The contract every variant keeps: shapes, encode/decode agreement, modes, gradients, messages. */
class VariantContractTest {
    static final int INPUT = 6;
    static final int CONCEPTS = 12;
    static final int BATCH = 10;

    static List<Variants.Factory> variants() {
        return Variants.all();
    }

    private static INDArray batch(DType dtype, long seed) {
        return new SeededRandom(seed).normal(dtype, 1.0, BATCH, INPUT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void forwardReturnsCodesAndReconstructionsOfTheDocumentedShapes(Variants.Factory f) {
        SparseAutoencoder m = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT32, 1));
        SaeOutput out = m.forward(batch(DType.FLOAT32, 2));
        assertArrayEquals(new long[] {BATCH, CONCEPTS}, out.codes().shape());
        assertArrayEquals(new long[] {BATCH, INPUT}, out.reconstruction().shape());
        assertEquals(BATCH, out.preCodes().rows());
        assertTrue(Tensors.allFinite(out.reconstruction()));
        if (!out.nested().isEmpty()) {
            Tolerance.assertIdentical(
                    out.reconstruction(), out.nested().get(out.nested().size() - 1), "the last nested reconstruction");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void decodingTheCodesGivesTheReconstructionInEvalMode(Variants.Factory f) {
        SparseAutoencoder m = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 3));
        INDArray x = batch(DType.FLOAT64, 4);
        m.forward(x); // a training forward first (BatchTopK needs its threshold)
        m.eval();
        SaeOutput out = m.forward(x).detach();
        Codes codes = m.encode(x);
        Tolerance.assertClose(
                out.codes(), codes.codes(), 0.0, "encode() runs forward()'s computation: the same codes, bit for bit");
        // decode multiplies densely; the forward pass may sum only the non-zero codes: the same sums of
        // CONCEPTS products in another order
        INDArray d = m.getDictionary();
        Tolerance.assertClose(
                out.reconstruction(),
                m.decode(out.codes()),
                Tolerance.f64(Tolerance.productMagnitude(out.codes(), d), 2 * CONCEPTS),
                "decode(codes) is the reconstruction");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void evalIsDeterministicAndTrainSwitchesBack(Variants.Factory f) {
        SparseAutoencoder m = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 5));
        INDArray x = batch(DType.FLOAT64, 6);
        m.forward(x);
        m.eval();
        assertFalse(m.isTraining());
        assertFalse(m.dictionary().isTraining());
        INDArray first = m.forward(x).reconstruction().dup();
        INDArray second = m.forward(x).reconstruction().dup();
        Tolerance.assertIdentical(first, second, "two evaluation forwards agree");
        m.train();
        assertTrue(m.isTraining() && m.dictionary().isTraining() && m.encoder().isTraining());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void backwardGivesFiniteGradientsToTrainableParameters(Variants.Factory f) {
        SparseAutoencoder m = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 7));
        INDArray x = batch(DType.FLOAT64, 8);
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        Losses.mse().evaluate(x, out, m.getDictionary(), g);
        m.backward(g.toOutputGradients());
        double total = 0;
        for (Parameter p : m.parameters()) {
            if (p.isTrainable()) {
                assertTrue(Tensors.allFinite(p.grad()), p.name() + " has a finite gradient");
                total += p.grad().norm2Number().doubleValue();
            }
        }
        assertTrue(total > 0, "some parameter receives gradient");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void wrongInputWidthIsRejectedWithBothShapes(Variants.Factory f) {
        SparseAutoencoder m = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT32, 9));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> m.forward(Tensors.zeros(DType.FLOAT32, 4, INPUT + 1)));
        assertTrue(
                e.getMessage().contains("[batch, " + INPUT + "]")
                        && e.getMessage().contains("[4, " + (INPUT + 1) + "]"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void toStringNamesTheVariantAndItsSettings(Variants.Factory f) {
        SparseAutoencoder m = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT32, 10));
        String s = m.toString();
        assertTrue(s.contains("variant=" + m.spec().variant().name()) && s.contains("concepts=" + CONCEPTS), s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theSameSeedBuildsTheSameWeights(Variants.Factory f) {
        SparseAutoencoder a = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT32, 11));
        SparseAutoencoder b = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT32, 11));
        for (int i = 0; i < a.parameters().size(); i++) {
            // compared as doubles so that a NaN buffer (BatchTopK before training) equals itself
            assertArrayEquals(
                    a.parameters()
                            .get(i)
                            .value()
                            .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                            .dup()
                            .data()
                            .asDouble(),
                    b.parameters()
                            .get(i)
                            .value()
                            .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                            .dup()
                            .data()
                            .asDouble(),
                    a.parameters().get(i).name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void theSpecRebuildsTheSameModelOnceTheWeightsAreLoaded(Variants.Factory f) {
        SparseAutoencoder m = f.create(Variants.config(INPUT, CONCEPTS, DType.FLOAT64, 12));
        INDArray x = batch(DType.FLOAT64, 13);
        m.forward(x);
        SparseAutoencoder copy = m.spec().build();
        assertEquals(m.spec(), copy.spec());
        assertEquals(
                m.parameters().stream().map(Parameter::name).toList(),
                copy.parameters().stream().map(Parameter::name).toList());
        for (Parameter p : m.parameters()) {
            copy.parameter(p.name()).orElseThrow().assign(p.value());
        }
        m.eval();
        copy.eval();
        Tolerance.assertIdentical(
                m.forward(x).reconstruction().dup(),
                copy.forward(x).reconstruction().dup(),
                "the copy's reconstruction");
    }
}
