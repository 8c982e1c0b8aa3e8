package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.LossSpec;
import dev.saekit.train.Losses;
import dev.saekit.train.MatchingPursuitReviveLoss;
import dev.saekit.train.MatryoshkaLoss;
import dev.saekit.train.ReanimationLoss;
import dev.saekit.train.TopKAuxiliaryLoss;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in float64 against every variant's backward pass (and the auxiliary
 * losses'), through {@link GradientCheck}. The dictionary is identity-normalised with a multiplier,
 * so its projection is a no-op and the documented gradient (which ignores the projection) is the
 * true one. Three contracts need checks of their own: JumpReLU's log-thresholds get a kernel
 * pseudo-derivative ({@link JumpGradientCheckTest}), OMP's encode passes no gradient
 * ({@link OmpGradientCheckTest}), and the archetypal dictionary's projection has no Jacobian
 * ({@link ArchetypalGradientCheckTest}).
 */
class VariantGradientCheckTest {
    static Stream<Arguments> variantsAndLosses() {
        return Variants.all().stream()
                .filter(f -> !f.name().equals("omp") && !f.name().equals("ra_topk"))
                .flatMap(f -> Stream.of(Arguments.of(f, "mse"), Arguments.of(f, "mse_l1")));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("variantsAndLosses")
    void analyticGradientsMatchFiniteDifferences(Variants.Factory f, String lossName) {
        SparseAutoencoder m = f.create(Variants.unprojected(Variants.config(5, 10, DType.FLOAT64, 21)));
        Loss loss = lossName.equals("mse") ? Losses.mse() : Losses.mseL1(0.01);
        if (m instanceof MatryoshkaSae || m instanceof PrefixMatryoshkaSae) {
            Loss nested = MatryoshkaLoss.reverseWeighted(MatryoshkaLoss.Kind.MSE);
            loss = lossName.equals("mse") ? nested : nested.plus(Losses.mseL1(0.01));
        }
        check(m, new SeededRandom(22).normal(DType.FLOAT64, 1.0, 8, 5), loss, Set.of(JumpSae.THRESHOLDS));
    }

    /** Vanilla and JumpReLU with the sparse path forced: decode and backward on the non-zero codes. */
    @ParameterizedTest(name = "{0} with {1}, sparse path")
    @MethodSource("densityVariantsAndLosses")
    void theSparsePathsGradientsMatchFiniteDifferences(Variants.Factory f, String lossName) {
        SparseAutoencoder m = f.create(Variants.unprojected(Variants.config(5, 10, DType.FLOAT64, 21)));
        m.setCodePath(CodePath.SPARSE);
        Loss loss = lossName.equals("mse") ? Losses.mse() : Losses.mseL1(0.01);
        INDArray x = new SeededRandom(22).normal(DType.FLOAT64, 1.0, 8, 5);
        m.train().forward(x);
        assertTrue(m.lastForwardWasSparse(), m.spec().variant().name());
        check(m, x, loss, Set.of(JumpSae.THRESHOLDS));
    }

    static Stream<Arguments> densityVariantsAndLosses() {
        return variantsAndLosses().filter(a -> {
            String name = ((Variants.Factory) a.get()[0]).name();
            return name.equals("vanilla") || name.equals("jumprelu");
        });
    }

    @Test
    void matryoshkaNmseGradientsMatchFiniteDifferences() {
        SparseAutoencoder m = TestModels.msae(Variants.config(5, 10, DType.FLOAT64, 23), List.of(2, 3, 6), 2.0);
        check(
                m,
                new SeededRandom(24).normal(DType.FLOAT64, 1.0, 8, 5),
                MatryoshkaLoss.weighted(List.of(0.2, 0.5, 1.0), MatryoshkaLoss.Kind.NMSE),
                Set.of());
    }

    @Test
    void topKAuxiliaryLossGradientsMatchFiniteDifferences() {
        SparseAutoencoder m = TestModels.topK(Variants.unprojected(Variants.config(5, 10, DType.FLOAT64, 25)), 2);
        check(
                m,
                new SeededRandom(26).normal(DType.FLOAT64, 1.0, 8, 5),
                Losses.mse().plus(new TopKAuxiliaryLoss(0.1)),
                Set.of());
    }

    @Test
    void auxKLossGradientsMatchFiniteDifferences() {
        SparseAutoencoder m = TestModels.topK(Variants.unprojected(Variants.config(5, 10, DType.FLOAT64, 27)), 2);
        DeadCodeTracker tracker = new DeadCodeTracker();
        // concepts 0, 3, 4, 7, 9 never fired in the window
        INDArray fired = dev.saekit.tensor.Tensors.zeros(DType.FLOAT64, 1, 10);
        for (int j : new int[] {1, 2, 5, 6, 8}) {
            fired.putScalar(0, j, 1.0);
        }
        tracker.update(fired);
        tracker.onEpochEnd(null);
        INDArray x = new SeededRandom(28).normal(DType.FLOAT64, 1.0, 8, 5);
        // AuxK takes the residual x - x_hat as a constant: differentiate with x_hat frozen at its current value
        INDArray frozen = m.forward(x).reconstruction().dup();
        AuxKLoss auxK = new AuxKLoss(tracker, 2, 0.5);
        Loss withFrozenResidual = new Loss() {
            @Override
            public LossSpec spec() {
                return new LossSpec.Custom("auxk_frozen_residual");
            }

            @Override
            public double evaluate(INDArray in, SaeOutput out, INDArray d, LossGradients g) {
                return auxK.evaluate(in, new SaeOutput(out.preCodes(), out.codes(), frozen), d, g);
            }
        };
        check(m, x, withFrozenResidual, Set.of());
    }

    @Test
    void reanimationGradientsMatchFiniteDifferences() {
        SparseAutoencoder m = TestModels.topK(Variants.unprojected(Variants.config(5, 10, DType.FLOAT64, 29)), 1);
        check(
                m,
                new SeededRandom(30).normal(DType.FLOAT64, 1.0, 3, 5),
                Losses.mse().plus(new ReanimationLoss(0.1)),
                Set.of());
    }

    @Test
    void matchingPursuitReviveGradientsMatchFiniteDifferences() {
        SparseAutoencoder m = TestModels.mp(Variants.unprojected(Variants.config(5, 20, DType.FLOAT64, 31)), 2, null);
        check(
                m,
                new SeededRandom(32).normal(DType.FLOAT64, 1.0, 4, 5),
                Losses.mse().plus(new MatchingPursuitReviveLoss(0.5, 1e-2, 3)),
                Set.of());
    }

    /**
     * Every trainable parameter but {@code excluded} gets the gradient that finite differences
     * measure (within the tolerance {@link GradientCheck} derives from their noise), and each of
     * them gets one: no parameter is silently cut off.
     */
    static void check(SparseAutoencoder m, INDArray x, Loss loss, Set<String> excluded) {
        m.train();
        GradientReport report = GradientCheck.check(m, loss, x, p -> !excluded.contains(p.name()));
        assertTrue(report.agrees(), () -> m.spec().variant().name() + ": " + report.describe());
        assertEquals(Set.of(), report.withoutGradient(), m.spec().variant().name() + ": parameters without a gradient");
    }
}
