package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.Codes;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
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
        MpSae m = withIdentityAtoms(TestModels.mp(basis(4), 2, null), 4);
        Codes c = m.encode(Tensors.matrix(DType.FLOAT64, new double[][]{{3, -5, 2, 0}}));
        // the l2 projection makes each atom e_j / (1 + 1e-8): code x_j s, residual x_j (1 - s^2), s = 1 / (1 + 1e-8)
        double s = 1 / (1 + Normalization.ROW_EPSILON);
        assertArrayEquals(new double[]{3 * s, 0, 2 * s, 0}, c.codes().toDoubleVector(), Tolerance.f64(5, 4));
        assertArrayEquals(new double[]{3 * (1 - s * s), -5, 2 * (1 - s * s), 0}, c.preCodes().toDoubleVector(), Tolerance.f64(5, 6));
    }

    /** OMP over the same atoms and x = [3, 0, 2, 0]: NNLS converges to the coordinates, residual ~ 0. */
    @Test
    void orthogonalMatchingPursuitRefitsNonNegativeCodes() {
        OmpSae m = withIdentityAtoms(TestModels.omp(basis(4), 2, 50, null), 4);
        Codes c = m.encode(Tensors.matrix(DType.FLOAT64, new double[][]{{3, 0, 2, 0}}));
        // the solver stops once the batch's NNLS gradient Z Q - P is below OmpSae.TOLERANCE; with
        // Q = s^2 I (atoms e_j s, s = 1 / (1 + 1e-8)), the codes are then within OmpSae.TOLERANCE / s^2
        // of the exact ones, x_j / s, and the residual within OmpSae.TOLERANCE / s of 0
        double s = 1 / (1 + Normalization.ROW_EPSILON);
        double tolerance = OmpSae.TOLERANCE / (s * s) + Tolerance.f64(5, 8);
        double exact = 1 / s;
        assertArrayEquals(new double[]{3 * exact, 0, 2 * exact, 0}, c.codes().toDoubleVector(), tolerance);
        assertTrue(c.preCodes().norm2Number().doubleValue() < tolerance, "residual " + c.preCodes());
        Codes neg = m.encode(Tensors.matrix(DType.FLOAT64, new double[][]{{-1, -2, -3, -4}}));
        assertTrue(neg.codes().minNumber().doubleValue() >= 0, "OMP codes are never negative");
    }

    @Test
    void dropoutActsInTrainingOnlyAndComesBackAfterEval() {
        SaeConfig config = Variants.config(6, 40, DType.FLOAT64, 3);
        MpSae withDropout = TestModels.mp(config, 2, 0.5);
        MpSae without = TestModels.mp(config, 2, null);
        INDArray x = new SeededRandom(4).normal(DType.FLOAT64, 1.0, 16, 6);
        INDArray plain = without.forward(x).codes().dup();
        // a dropped atom changes the codes by the size of a code, not by a rounding
        double codeSize = plain.amaxNumber().doubleValue();
        assertTrue(Tolerance.maxDifference(plain, withDropout.forward(x).codes()) > codeSize / 10, "half the atoms are dropped in training");
        withDropout.eval();
        without.eval();
        Tolerance.assertIdentical(without.forward(x).codes().dup(), withDropout.forward(x).codes().dup(), "no dropout in eval");
        withDropout.train();
        without.train();
        assertTrue(Tolerance.maxDifference(without.forward(x).codes().dup(), withDropout.forward(x).codes()) > codeSize / 10,
                "dropout is back after train()");
    }

    @Test
    void loadingTheDropoutStateResumesTheSameMasks() {
        SaeConfig config = Variants.config(6, 30, DType.FLOAT64, 8);
        MpSae a = TestModels.mp(config, 2, 0.5);
        INDArray x = new SeededRandom(9).normal(DType.FLOAT64, 1.0, 5, 6);
        a.forward(x);
        MpSae b = TestModels.mp(config, 2, 0.5);
        for (dev.saekit.tensor.Parameter p : a.parameters()) {
            b.parameter(p.name()).orElseThrow().assign(p.value());
        }
        Tolerance.assertIdentical(a.forward(x).codes().dup(), b.forward(x).codes().dup(), "the next mask is the same after a load");
    }
}
