package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.CoderLosses;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Transcoders and crosscoders on numbers small enough to work by hand (every value below is exact in
 * binary, so the comparisons are exact), and the same models in float32 against float64.
 */
class CoderFixturesTest {

    /**
     * A skip transcoder, 2 inputs, 2 latents, TopK k=1, 2 outputs. For {@code x = [1, 1]}:
     * {@code pre = x W_enc + b_enc = [1, 2] + [0, -0.5] = [1, 1.5]}; TopK keeps latent 1 (1.5);
     * {@code z W_dec = 1.5 [2, 0] = [3, 0]}; {@code + b_dec [0.5, 0.5] = [3.5, 0.5]};
     * {@code + x W_skip^T}, with {@code W_skip = [[1, 0], [0, 3]]}, adds {@code [1, 3]}: {@code [4.5, 3.5]}.
     */
    @Test
    void aSkipTranscoderPredictsByHand() {
        for (DType dtype : DType.values()) {
            SparseAutoencoder m = ModelSpec.coder(
                            SaeConfig.of(2, 2).withDType(dtype), new TopKSpec(1), new CoderSpec.Transcoder(2, true))
                    .build();
            load(
                    m,
                    Map.of(
                            "W_enc",
                            new double[][] {{1, 0}, {0, 2}},
                            "b_enc",
                            new double[][] {{0, -0.5}},
                            "W_dec",
                            new double[][] {{1, 1}, {2, 0}},
                            "b_dec",
                            new double[][] {{0.5, 0.5}},
                            ModelSpec.SKIP,
                            new double[][] {{1, 0}, {0, 3}}));
            SaeOutput out = m.forward(matrix(dtype, new double[][] {{1, 1}}));
            Tolerance.assertIdentical(matrix(dtype, new double[][] {{1, 1.5}}), out.preCodes(), "pre-codes");
            Tolerance.assertIdentical(matrix(dtype, new double[][] {{0, 1.5}}), out.codes(), "codes");
            Tolerance.assertIdentical(matrix(dtype, new double[][] {{4.5, 3.5}}), out.reconstruction(), "prediction");
            // decode leaves the skip path out: it needs the input
            Tolerance.assertIdentical(matrix(dtype, new double[][] {{3.5, 0.5}}), m.decode(out.codes()), "decode");
        }
    }

    /**
     * A transcoder's training rows are its input then its target: the rows {@code [x | y]} split
     * into the model's input and the loss's target, and a row of the wrong width is refused.
     */
    @Test
    void aTranscodersRowsCarryItsInputThenItsTarget() {
        SparseAutoencoder m = ModelSpec.coder(
                        SaeConfig.of(3, 4).withDType(DType.FLOAT64),
                        new TopKSpec(2),
                        new CoderSpec.Transcoder(2, false))
                .build();
        assertEquals(5, m.rowWidth());
        INDArray rows = matrix(DType.FLOAT64, new double[][] {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}});
        Tolerance.assertIdentical(
                matrix(DType.FLOAT64, new double[][] {{1, 2, 3}, {6, 7, 8}}), m.inputOf(rows), "input");
        Tolerance.assertIdentical(matrix(DType.FLOAT64, new double[][] {{4, 5}, {9, 10}}), m.targetOf(rows), "target");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> m.inputOf(matrix(DType.FLOAT64, new double[][] {{1, 2, 3}})));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
    }

    /**
     * sparsify's FVU: targets {@code [[1], [3]]} have mean 2 and total variance {@code 1 + 1 = 2};
     * predictions {@code [[2], [2]]} leave squared errors {@code 1 + 1 = 2}: FVU 1, gradient
     * {@code 2 (y_hat - y) / 2 = [[1], [-1]]}.
     */
    @Test
    void theFvuDividesBySumOfSquaresAboutTheTargetMean() {
        INDArray y = matrix(DType.FLOAT64, new double[][] {{1}, {3}});
        INDArray yHat = matrix(DType.FLOAT64, new double[][] {{2}, {2}});
        LossGradients g = new LossGradients(DType.FLOAT64);
        SaeOutput out = new SaeOutput(Tensors.zeros(DType.FLOAT64, 2, 1), Tensors.zeros(DType.FLOAT64, 2, 1), yHat);
        g.reset(out);
        assertEquals(1.0, new CoderLosses.Fvu().evaluate(y, out, Tensors.zeros(DType.FLOAT64, 1, 1), g));
        Tolerance.assertIdentical(matrix(DType.FLOAT64, new double[][] {{1}, {-1}}), g.reconstruction(), "gradient");
        LossGradients same = new LossGradients(DType.FLOAT64);
        same.reset(out);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new CoderLosses.Fvu().evaluate(yHat, out, Tensors.zeros(DType.FLOAT64, 1, 1), same));
        assertTrue(e.getMessage().contains("total variance"), e.getMessage());
    }

    /**
     * A crosscoder over 2 layers of width 2, 2 latents, ReLU. Latent 0's decoder blocks are
     * {@code [3, 4]} and {@code [0, 0]}, latent 1's {@code [0, 1]} and {@code [1, 0]}: weights
     * {@code w = [5 + 0, 1 + 1] = [5, 2]} (crosscoder), {@code [5, sqrt 2]} (sae). With
     * {@code W_enc} the identity on the first two inputs and zero biases, {@code x = [1, 2, 0, 0]}
     * gives codes {@code [1, 2]}, output {@code 1 [3, 4, 0, 0] + 2 [0, 1, 1, 0] = [3, 6, 2, 0]}, layer
     * errors {@code ||[2, 4]|| = sqrt 20} and {@code ||[2, 0]|| = 2}: layer L2 {@code (sqrt 20 + 2) / 2};
     * weighted L1 {@code 1 * 5 + 2 * 2 = 9}.
     */
    @Test
    void aCrosscoderWeighsItsLatentsByTheirDecoderNorms() {
        SparseAutoencoder m = ModelSpec.coder(
                        SaeConfig.of(4, 2).withDType(DType.FLOAT64), new VanillaSpec(), CoderSpec.Crosscoder.of(2))
                .build();
        load(
                m,
                Map.of(
                        "W_enc", new double[][] {{1, 0}, {0, 1}, {0, 0}, {0, 0}},
                        "b_enc", new double[][] {{0, 0}},
                        "W_dec", new double[][] {{3, 4, 0, 0}, {0, 1, 1, 0}},
                        "b_dec", new double[][] {{0, 0, 0, 0}}));
        INDArray d = m.getDictionary();
        Tolerance.assertIdentical(
                Tensors.fromFlat(DType.FLOAT64, new double[] {5, 2}, 2),
                CodeNormalization.CROSSCODER.weights(d, 2).w(),
                "crosscoder weights");
        Tolerance.assertIdentical(
                Tensors.fromFlat(DType.FLOAT64, new double[] {5, Math.sqrt(2)}, 2),
                CodeNormalization.SAE.weights(d, 2).w(),
                "sae weights");
        INDArray x = matrix(DType.FLOAT64, new double[][] {{1, 2, 0, 0}});
        SaeOutput out = m.forward(x);
        Tolerance.assertIdentical(matrix(DType.FLOAT64, new double[][] {{3, 6, 2, 0}}), out.reconstruction(), "output");
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        assertEquals((Math.sqrt(20) + 2) / 2, new CoderLosses.LayerL2(2).evaluate(x, out, d, g), Math.ulp(4.0));
        assertEquals(9.0, new CoderLosses.WeightedL1(1.0, 2, CodeNormalization.CROSSCODER).evaluate(x, out, d, g));
    }

    static Stream<Arguments> coders() {
        List<VariantSpec> variants = List.of(
                new TopKSpec(3),
                new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(3), 0.9),
                new VanillaSpec(),
                JumpReluSpec.KIND.defaults().apply(SaeConfig.of(6, 10)));
        return variants.stream()
                .flatMap(v -> Stream.of(
                        Arguments.of(v, new CoderSpec.Transcoder(4, true), Losses.mse()),
                        Arguments.of(v, new CoderSpec.Transcoder(4, false), new CoderLosses.Fvu()),
                        Arguments.of(
                                v,
                                CoderSpec.Crosscoder.of(2),
                                new CoderLosses.LayerL2(2)
                                        .plus(new CoderLosses.WeightedL1(0.05, 2, CodeNormalization.CROSSCODER)))));
    }

    /**
     * The same weights and rows in float32 and float64 give the same outputs and gradients, within
     * float32 rounding of the products involved: float32 runs the same code paths (sparse and dense).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("coders")
    void float32AgreesWithFloat64(VariantSpec variant, CoderSpec coder, Loss loss) {
        SparseAutoencoder wide = CoderGradientCheckTest.coder(variant, 6, coder, 81);
        SparseAutoencoder narrow = ModelSpec.coder(Variants.config(6, 10, DType.FLOAT32, 81), variant, coder)
                .build();
        for (Parameter p : wide.parameters()) {
            narrow.parameter(p.name()).orElseThrow().assign(p.value().castTo(DType.FLOAT32.nd4j()));
        }
        narrow.train();
        INDArray rows = CoderGradientCheckTest.rows(wide.rowWidth(), 82);
        double lossWide = step(wide, loss, rows);
        double lossNarrow = step(narrow, loss, rows.castTo(DType.FLOAT32.nd4j()));
        assertEquals(lossWide, lossNarrow, Tolerance.f32(Math.abs(lossWide), 64), "loss");
        for (Parameter p : wide.parameters()) {
            if (!p.isTrainable()) {
                continue;
            }
            INDArray g64 = p.grad();
            INDArray g32 = narrow.parameter(p.name()).orElseThrow().grad();
            double magnitude = Math.max(g64.amaxNumber().doubleValue(), Math.abs(lossWide));
            // each entry is a sum over the batch of products of the row width: a few hundred roundings at most
            Tolerance.assertClose(g64, g32.castTo(g64.dataType()), Tolerance.f32(magnitude, 512), p.name());
        }
    }

    private static double step(SparseAutoencoder m, Loss loss, INDArray rows) {
        m.zeroGrad();
        SaeOutput out = m.forward(m.inputOf(rows));
        LossGradients g = new LossGradients(m.dtype());
        g.reset(out);
        double value = loss.evaluate(m.targetOf(rows), out, m.getDictionary(), g);
        m.backward(g.toOutputGradients());
        return value;
    }

    private static void load(SparseAutoencoder m, Map<String, double[][]> values) {
        for (Parameter p : m.parameters()) {
            double[][] v = values.get(p.name());
            if (v != null) {
                p.assign(matrix(m.dtype(), v).reshape(p.shape()));
            }
        }
    }

    private static INDArray matrix(DType dtype, double[][] rows) {
        double[] flat = new double[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[0].length, rows[0].length);
        }
        return Tensors.fromFlat(dtype, flat, rows.length, rows[0].length);
    }
}
