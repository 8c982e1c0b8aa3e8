package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.Codes;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-worked pursuits over the standard basis, and dropout across modes. */
class PursuitTest {
    private static SaeConfig basis(int d) {
        return new SaeConfig(d, d, EncoderKind.IDENTITY, new DictionaryConfig(Normalization.L2, false), DType.FLOAT64, 0);
    }

    private static <M extends SparseAutoencoder> M withIdentityAtoms(M m, int d) {
        m.parameter("dictionary._weights").orElseThrow().assign(Nd4j.eye(d).castTo(DType.FLOAT64.nd4j()));
        return m;
    }

    /** x = [3, -5, 2, 0]: signed argmax picks 3 (atom 0), then 2 (atom 2); the -5 is never picked. */
    @Test
    void matchingPursuitPicksTheLargestSignedCorrelations() {
        MpSae m = withIdentityAtoms(MpSae.create(basis(4), 2, null), 4);
        Codes c = m.encode(Tensors.matrix(DType.FLOAT64, new double[][]{{3, -5, 2, 0}}));
        assertArrayEquals(new double[]{3, 0, 2, 0}, c.codes().toDoubleVector(), 1e-6);
        assertArrayEquals(new double[]{0, -5, 0, 0}, c.preCodes().toDoubleVector(), 1e-6);
    }

    /** OMP over the same atoms and x = [3, 0, 2, 0]: NNLS converges to the coordinates, residual ~ 0. */
    @Test
    void orthogonalMatchingPursuitRefitsNonNegativeCodes() {
        OmpSae m = withIdentityAtoms(OmpSae.create(basis(4), 2, 50, null), 4);
        Codes c = m.encode(Tensors.matrix(DType.FLOAT64, new double[][]{{3, 0, 2, 0}}));
        assertArrayEquals(new double[]{3, 0, 2, 0}, c.codes().toDoubleVector(), 1e-4);
        assertTrue(c.preCodes().norm2Number().doubleValue() < 1e-4);
        Codes neg = m.encode(Tensors.matrix(DType.FLOAT64, new double[][]{{-1, -2, -3, -4}}));
        assertTrue(neg.codes().minNumber().doubleValue() >= 0, "OMP codes are never negative");
    }

    @Test
    void dropoutActsInTrainingOnlyAndComesBackAfterEval() {
        SaeConfig config = Variants.config(6, 40, DType.FLOAT64, 3);
        MpSae withDropout = MpSae.create(config, 2, 0.5);
        MpSae without = MpSae.create(config, 2, null);
        INDArray x = new SeededRandom(4).normal(DType.FLOAT64, 1.0, 16, 6);
        INDArray plain = without.forward(x).codes().dup();
        assertNotEquals(plain, withDropout.forward(x).codes().dup(), "half the atoms are dropped in training");
        withDropout.eval();
        without.eval();
        assertEquals(without.forward(x).codes().dup(), withDropout.forward(x).codes().dup(), "no dropout in eval");
        withDropout.train();
        without.train();
        assertNotEquals(without.forward(x).codes().dup(), withDropout.forward(x).codes().dup(), "dropout is back after train()");
    }

    @Test
    void loadingTheDropoutStateResumesTheSameMasks() {
        SaeConfig config = Variants.config(6, 30, DType.FLOAT64, 8);
        MpSae a = MpSae.create(config, 2, 0.5);
        INDArray x = new SeededRandom(9).normal(DType.FLOAT64, 1.0, 5, 6);
        a.forward(x);
        MpSae b = MpSae.create(config, 2, 0.5);
        for (dev.saekit.tensor.Parameter p : a.parameters()) {
            b.parameter(p.name()).orElseThrow().assign(p.value());
        }
        assertEquals(a.forward(x).codes().dup(), b.forward(x).codes().dup(), "the next mask is the same after a load");
    }
}
