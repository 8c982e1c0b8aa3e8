package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.Codes;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-worked pursuits and the spec of orthogonal matching pursuit ({@link OmpSae}, {@link OmpSpec}). */
class OmpSaeTest {
    /** The eigenvalues of Q = [[2,1],[1,1]], the Gram matrix of atoms 2 and 1 of the fixture. */
    private static final double LAMBDA_MIN = (3 - Math.sqrt(5)) / 2;

    private static final double LAMBDA_MAX = (3 + Math.sqrt(5)) / 2;

    /** d = 2, c = 3, no encoder; dictionary (identity normalisation) D = [[1,0],[0,1],[1,1]]. */
    private static OmpSae fixture(int steps, int maxIter) {
        OmpSae m = TestModels.omp(TestModels.handWorked(2, 3), steps, maxIter, null);
        TestModels.set(m, "dictionary._weights", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1});
        return m;
    }

    /**
     * k = 2, x = [1, 2]. Step 1: scores x D^T = [1, 2, 3], atom 2; NNLS on {2}: Q = [2], P = [3],
     * step 1/(2 + 1e-8): z_2 = 1.5 up to 1e-16 relative, r = [1,2] - 1.5*[1,1] = [-0.5, 0.5].
     * Step 2: scores r D^T = [-0.5, 0.5, 0], atom 2 is taken already: atom 1 (its code starts at 0).
     * NNLS on {2, 1}: Q = [[2,1],[1,1]], P = [3, 2], solution z_2 = 1, z_1 = 1 (non-negative, so the
     * least-squares one; x = 1*[0,1] + 1*[1,1] exactly). Projected gradient from the warm start
     * [1.5, 0] with step 1/|Q|_F = 1/sqrt(7) stops once the gradient Q (z - z*) is below
     * OmpSae.TOLERANCE (after 69 iterations), so |z - z*| < TOLERANCE / lambda_min(Q) and the residual
     * r = -(z - z*) D_S has norm below sqrt(lambda_max) times that.
     */
    @Test
    void eachStepRefitsTheChosenAtomsByNonNegativeLeastSquares() {
        OmpSae m = fixture(2, 100);
        SaeOutput out = m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}}));
        double codeError = OmpSae.TOLERANCE / LAMBDA_MIN;
        assertEquals(0, out.codes().getDouble(0, 0), 0, "atom 0 was never chosen");
        assertArrayEquals(new double[] {0, 1, 1}, out.codes().toDoubleVector(), codeError);
        assertTrue(
                out.preCodes().norm2Number().doubleValue() < Math.sqrt(LAMBDA_MAX) * codeError,
                "residual " + out.preCodes());
        assertArrayEquals(
                new double[] {1, 2}, out.reconstruction().toDoubleVector(), Math.sqrt(LAMBDA_MAX) * codeError);
        // with max_iter 10 the same solver stops 0.2 short of the solution
        double short10 = Tolerance.maxDifference(
                fixture(2, 10)
                        .forward(Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}}))
                        .codes(),
                Tensors.matrix(DType.FLOAT64, new double[][] {{0, 1, 1}}));
        assertTrue(short10 > 0.1, "max_iter bounds the refit: " + short10);
    }

    /**
     * k = 2, x = [2, -1]. Step 1: scores [2, -1, 1], atom 0, z_0 = 2 (up to 1e-16), r = [0, -1].
     * Step 2: atoms 1 and 2 both score -1; with either, the least-squares code of the new atom is
     * -1 and the projection holds it at 0, so z = [2, 0, 0] and r = [0, -1]. The clamped code keeps a
     * gradient of 1, so the solver runs all its iterations: each contracts the error of z_0 and adds a
     * few roundings at 2 (at most 16 in all, the contraction being 1 - 1/sqrt(7) or stronger).
     */
    @Test
    void codesStayNonNegativeWhereLeastSquaresWouldGoNegative() {
        OmpSae m = fixture(2, 100);
        SaeOutput out = m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{2, -1}}));
        assertArrayEquals(new double[] {2, 0, 0}, out.codes().toDoubleVector(), Tolerance.f64(2, 16));
        assertArrayEquals(new double[] {0, -1}, out.preCodes().toDoubleVector(), Tolerance.f64(2, 16));
        Codes neg = m.encode(Tensors.matrix(DType.FLOAT64, new double[][] {{-1, -2}}));
        assertTrue(neg.codes().minNumber().doubleValue() >= 0, "OMP codes are never negative");
    }

    /** OMP over the l2-normalised standard basis and x = [3, 0, 2, 0]: NNLS converges to the coordinates, residual ~ 0. */
    @Test
    void withTheL2ProjectionTheCodesAreTheCoordinatesOverAtomsJustBelowUnitNorm() {
        SaeConfig basis = new SaeConfig(
                4, 4, EncoderKind.IDENTITY, new DictionaryConfig(Normalization.L2, false), DType.FLOAT64, 0);
        OmpSae m = TestModels.omp(basis, 2, 50, null);
        m.parameter("dictionary._weights").orElseThrow().assign(Nd4j.eye(4).castTo(DType.FLOAT64.nd4j()));
        Codes c = m.encode(Tensors.matrix(DType.FLOAT64, new double[][] {{3, 0, 2, 0}}));
        // the solver stops once the batch's NNLS gradient Z Q - P is below OmpSae.TOLERANCE; with
        // Q = s^2 I (atoms e_j s, s = 1 / (1 + 1e-8)), the codes are then within OmpSae.TOLERANCE / s^2
        // of the exact ones, x_j / s, and the residual within OmpSae.TOLERANCE / s of 0
        double s = 1 / (1 + Normalization.ROW_EPSILON);
        double tolerance = OmpSae.TOLERANCE / (s * s) + Tolerance.f64(5, 8);
        double exact = 1 / s;
        assertArrayEquals(new double[] {3 * exact, 0, 2 * exact, 0}, c.codes().toDoubleVector(), tolerance);
        assertTrue(c.preCodes().norm2Number().doubleValue() < tolerance, "residual " + c.preCodes());
        Codes neg = m.encode(Tensors.matrix(DType.FLOAT64, new double[][] {{-1, -2, -3, -4}}));
        assertTrue(neg.codes().minNumber().doubleValue() >= 0, "OMP codes are never negative");
    }

    /**
     * k = 1, x = [1, 2]: z = [0, 0, 1.5], x_hat = [1.5, 1.5]. MSE: x_hat - x = [0.5, -0.5], loss
     * (0.25 + 0.25)/2 = 0.25, dL/dx_hat = [0.5, -0.5]. The encode carries no gradient, so the
     * dictionary learns through the decode only: dL/dD_2 = z_2 dL/dx_hat = [0.75, -0.75], other atoms 0.
     * A gradient on the codes alone reaches no parameter.
     */
    @Test
    void theDictionaryLearnsThroughTheDecodeOnly() {
        OmpSae m = fixture(1, 10);
        INDArray x = Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}});
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        // z_2 = 1.5 (1 - 2.5e-17): the NNLS's rounding, then squares and a mean
        assertEquals(0.25, Losses.mse().evaluate(x, out, m.getDictionary(), g), Tolerance.f64(1.5, 8));
        m.backward(g.toOutputGradients());
        INDArray gradD = m.parameter("dictionary._weights").orElseThrow().grad();
        assertArrayEquals(
                new double[] {0, 0, 0, 0, 0.75, -0.75}, gradD.dup('c').data().asDouble(), Tolerance.f64(1.5, 8));

        m.zeroGrad();
        m.forward(x);
        m.backward(new OutputGradients(Tensors.zeros(DType.FLOAT64, 1, 2), Tensors.ones(DType.FLOAT64, 1, 3), null));
        assertEquals(
                0,
                m.parameter("dictionary._weights")
                        .orElseThrow()
                        .grad()
                        .amaxNumber()
                        .doubleValue(),
                0,
                "no gradient through the encode");
    }

    @Test
    void theDefaultsAreEightStepsTenIterationsAndNoDropout() {
        assertEquals(new OmpSpec(8, 10, null), OmpSpec.KIND.defaults().apply(SaeConfig.of(8, 64)));
        // each step takes a new atom: the default shrinks to the number of concepts
        assertEquals(new OmpSpec(3, 10, null), OmpSpec.KIND.defaults().apply(TestModels.handWorked(2, 3)));
    }

    @Test
    void badStepsIterationsAndDropoutAreRejectedWithTheSettingNamed() {
        SpecChecks.rejects(() -> new OmpSpec(0, 10, null), "omp", "k", "0", ">= 1");
        SpecChecks.rejects(() -> new OmpSpec(2, 0, null), "omp", "max_iter", "0", ">= 1");
        SpecChecks.rejects(() -> new OmpSpec(2, 10, 1.0), "omp", "dropout", "1.0", "in [0, 1)");
        SpecChecks.rejects(
                () -> ModelSpec.of(SaeConfig.of(4, 8), new OmpSpec(9, 10, null)),
                "omp",
                "k",
                "9",
                "in 1..8 (the number of concepts)");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ModelSpec(
                        TestModels.handWorked(2, 3),
                        new OmpSpec(2, 10, null),
                        new ModelSpec.DictionarySpec.Standard(),
                        new ModelSpec.EncoderSpec.Untied(true)));
        assertTrue(e.getMessage().startsWith("omp encodes with the dictionary itself"), e.getMessage());
    }

    @Test
    void theSpecRoundTripsThroughJson() {
        ObjectNode json = SpecChecks.roundTrip(new OmpSpec(3, 12, null));
        assertEquals(3, json.get("k").asInt());
        assertEquals(12, json.get("max_iter").asInt());
        assertTrue(json.get("dropout").isNull());
        SpecChecks.roundTrip(new OmpSpec(2, 5, 0.3));
    }

    @Test
    void theModelKeepsItsSpecAndEncodesWithoutAnEncoder() {
        OmpSpec settings = new OmpSpec(2, 100, null);
        ModelSpec spec = ModelSpec.of(TestModels.handWorked(2, 3), settings);
        OmpSae m = (OmpSae) spec.build();
        assertSame(spec, m.spec());
        assertEquals(2, m.k());
        assertEquals(100, m.maxIter());
        assertNull(settings.dropout());
        assertTrue(m.parameters().stream().noneMatch(p -> p.name().startsWith("encoder")), "no encoder parameters");
        assertSame(OmpSpec.KIND, settings.kind());
        assertFalse(settings.usesEncoder());
        assertFalse(settings.sparsityFromLoss());
        assertFalse(settings.nested());
        assertFalse(settings.selectsTopK());
    }
}
