package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Finite differences against the relaxed archetypal dictionary {@code D = (W C + Lambda) exp(m)}.
 *
 * <p>Before every use the dictionary projects {@code W} onto non-negative row-stochastic matrices
 * and clamps each row of {@code Lambda} to norm {@code delta}, in place, and by contract that
 * projection has no Jacobian (SEMANTICS.md, "Relaxed archetypal dictionary"): the gradient is that
 * of {@code D} as if the projection were the identity. It is the identity, and the documented
 * gradient the true one, near a state that is already projected: every entry of {@code W} far above
 * 0 with rows summing to 1, every row of {@code Lambda} well inside the {@code delta} ball. There
 * {@code Lambda} and {@code m} can be differenced entry by entry. A change of one entry of {@code W}
 * breaks its row's sum, which the projection restores by rescaling the row, so {@code W} is
 * differenced along the directions that keep every row's sum ({@code e_ik - e_i0}); the one
 * direction per row left out (all ones) is pinned by the chain rule: {@code D} depends on {@code W}
 * and {@code Lambda} only through {@code W C + Lambda}, so {@code dL/dW = dL/dLambda C^T}, with
 * {@code dL/dLambda} checked above. Evaluation mode fuses {@code D} once per change of the weights,
 * with the same projection, so the same state serves both modes.
 */
class ArchetypalGradientCheckTest {
    private static final int INPUT = 5;
    private static final int CONCEPTS = 6;
    private static final int CANDIDATES = 9;
    private static final double DELTA = 1.0;
    private static final double UNIT_ROUNDOFF = Math.ulp(1.0) / 2;

    static Stream<Arguments> variantsAndModes() {
        List<Arguments> cases = new ArrayList<>();
        for (String variant : List.of("vanilla", "topk")) {
            for (boolean training : List.of(true, false)) {
                cases.add(Arguments.of(variant, training));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, training={1}")
    @MethodSource("variantsAndModes")
    void theRelaxationTheMultiplierAndTheEncoderGetTheExactGradient(String variant, boolean training) {
        SparseAutoencoder m = model(variant, training, 51);
        INDArray x = new SeededRandom(52).normal(DType.FLOAT64, 1.0, 8, INPUT);
        GradientReport report = GradientCheck.check(m, loss(), x, p -> !p.name().equals(RelaxedArchetypalDictionary.W));
        assertTrue(report.agrees(), report::describe);
        assertEquals(Set.of(), report.withoutGradient(), "parameters without a gradient");
    }

    @ParameterizedTest(name = "{0}, training={1}")
    @MethodSource("variantsAndModes")
    void theConvexWeightsGetTheExactGradientAlongEveryRowSumKeepingDirection(String variant, boolean training) {
        SparseAutoencoder m = model(variant, training, 53);
        INDArray x = new SeededRandom(54).normal(DType.FLOAT64, 1.0, 8, INPUT);
        Parameter w = parameter(m, RelaxedArchetypalDictionary.W);
        List<INDArray> directions = new ArrayList<>();
        for (int i = 0; i < CONCEPTS; i++) {
            for (int k = 1; k < CANDIDATES; k++) {
                INDArray d = Tensors.zeros(DType.FLOAT64, CONCEPTS, CANDIDATES);
                d.putScalar(i, k, 1.0);
                d.putScalar(i, 0, -1.0);
                directions.add(d);
            }
        }
        GradientReport report = GradientCheck.checkDirections(m, loss(), x, w, directions);
        assertTrue(report.agrees(), report::describe);
        assertTrue(report.scale() > 0, "the directional derivatives are not all zero");
    }

    @ParameterizedTest(name = "{0}, training={1}")
    @MethodSource("variantsAndModes")
    void theConvexWeightsGradientIsTheRelaxationGradientTimesTheCandidates(String variant, boolean training) {
        SparseAutoencoder m = model(variant, training, 55);
        INDArray x = new SeededRandom(56).normal(DType.FLOAT64, 1.0, 8, INPUT);
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        INDArray d = m.getDictionary();
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        loss().evaluate(x, out, d, g);
        m.backward(g.toOutputGradients());
        INDArray gLambda = parameter(m, RelaxedArchetypalDictionary.RELAX).grad();
        INDArray c = parameter(m, RelaxedArchetypalDictionary.POINTS).value();
        INDArray expected = gLambda.mmul(c.transpose());
        // each entry is a sum of INPUT products, computed twice (here and in the engine)
        INDArray magnitude =
                Transforms.abs(gLambda, true).mmul(Transforms.abs(c, true).transpose());
        INDArray actual = parameter(m, RelaxedArchetypalDictionary.W).grad();
        for (int i = 0; i < CONCEPTS; i++) {
            for (int k = 0; k < CANDIDATES; k++) {
                double tolerance = 2 * (INPUT + 2) * UNIT_ROUNDOFF * magnitude.getDouble(i, k);
                assertEquals(
                        expected.getDouble(i, k),
                        actual.getDouble(i, k),
                        tolerance,
                        String.format(Locale.ROOT, "dL/dW[%d, %d]", i, k));
            }
        }
        assertTrue(expected.amaxNumber().doubleValue() > 0, "the gradient is not trivially zero");
    }

    private static Loss loss() {
        return Losses.mseL1(0.01);
    }

    /**
     * A model over an archetypal dictionary in an already projected state: {@code W} with entries
     * in [0.5, 1.5] before each row is divided by its sum (so every entry exceeds 0.5 / 13.5 and
     * rows sum to 1), {@code Lambda} rows of norm 0.4 delta, {@code m = 0.3}.
     */
    private static SparseAutoencoder model(String variant, boolean training, long seed) {
        SaeConfig config = Variants.config(INPUT, CONCEPTS, DType.FLOAT64, seed);
        SeededRandom rng = new SeededRandom(seed);
        INDArray points = rng.normal(DType.FLOAT64, 1.0, CANDIDATES, INPUT);
        SparseAutoencoder m = new ModelSpec(
                        config,
                        variant.equals("topk") ? new TopKSpec(3) : new VanillaSpec(),
                        new ModelSpec.DictionarySpec.Archetypal(CANDIDATES, DELTA, true),
                        new ModelSpec.EncoderSpec.Standard())
                .build(points);
        INDArray w = rng.uniform(DType.FLOAT64, 0.5, 1.5, CONCEPTS, CANDIDATES);
        parameter(m, RelaxedArchetypalDictionary.W)
                .assign(w.diviColumnVector(w.sum(1).reshape(CONCEPTS, 1)));
        INDArray relax = rng.normal(DType.FLOAT64, 1.0, CONCEPTS, INPUT);
        parameter(m, RelaxedArchetypalDictionary.RELAX)
                .assign(relax.diviColumnVector(relax.norm2(1).reshape(CONCEPTS, 1))
                        .muli(0.4 * DELTA));
        parameter(m, RelaxedArchetypalDictionary.MULTIPLIER).assign(Tensors.scalar(DType.FLOAT64, 0.3));
        return training ? m.train() : m.eval();
    }

    private static Parameter parameter(SparseAutoencoder m, String name) {
        return m.parameter(name).orElseThrow(() -> new AssertionError("no parameter " + name));
    }
}
