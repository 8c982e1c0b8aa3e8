package dev.saekit.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The built-in MLP encoders: state-dict names, initialisation, forward maths, misuse. */
class MlpEncoderTest {

    private static Encoder encoder(EncoderKind kind) {
        return Encoders.create(kind, 4, 6, DType.FLOAT64, new SeededRandom(0));
    }

    private static String layout(Encoder e) {
        return e.parameters().stream()
                .map(p -> p.name() + Arrays.toString(p.shape()))
                .collect(Collectors.joining(" "));
    }

    @Test
    void theLinearEncoderIsOneFinalBlockWithoutNorm() {
        assertEquals(
                "encoder.final_block.0.weight[6, 4] encoder.final_block.0.bias[6]",
                layout(encoder(EncoderKind.LINEAR)));
    }

    @Test
    void mlpBn3NamesItsHiddenAndFinalBlocksAsOvercompleteDoes() {
        String bn = "running_mean[%1$d] %2$s.1.running_var[%1$d] %2$s.1.num_batches_tracked[]";
        assertEquals(
                String.join(
                        " ",
                        "encoder.mlp_blocks.0.0.weight[4, 4] encoder.mlp_blocks.0.0.bias[4]",
                        "encoder.mlp_blocks.0.1.weight[4] encoder.mlp_blocks.0.1.bias[4]",
                        "encoder.mlp_blocks.0.1." + String.format(bn, 4, "encoder.mlp_blocks.0"),
                        "encoder.mlp_blocks.1.0.weight[4, 4] encoder.mlp_blocks.1.0.bias[4]",
                        "encoder.mlp_blocks.1.1.weight[4] encoder.mlp_blocks.1.1.bias[4]",
                        "encoder.mlp_blocks.1.1." + String.format(bn, 4, "encoder.mlp_blocks.1"),
                        "encoder.final_block.0.weight[6, 4] encoder.final_block.0.bias[6]",
                        "encoder.final_block.1.weight[6] encoder.final_block.1.bias[6]",
                        "encoder.final_block.1." + String.format(bn, 6, "encoder.final_block")),
                layout(encoder(EncoderKind.MLP_BN_3)));
    }

    @Test
    void mlpLn1HasALayerNormWithoutBuffers() {
        assertEquals(
                "encoder.final_block.0.weight[6, 4] encoder.final_block.0.bias[6] "
                        + "encoder.final_block.1.weight[6] encoder.final_block.1.bias[6]",
                layout(encoder(EncoderKind.MLP_LN_1)));
    }

    @Test
    void linearLayersStartUniformWithinOneOverSqrtFanIn() {
        Encoder e = Encoders.create(EncoderKind.LINEAR, 64, 128, DType.FLOAT64, new SeededRandom(5));
        for (Parameter p : e.parameters()) {
            double largest = p.value().amaxNumber().doubleValue();
            assertTrue(largest <= 1 / 8.0 && largest > 0.9 / 8.0, p.name() + " max |w| = " + largest);
        }
    }

    @Test
    void theLinearEncoderComputesReluOfXWTransposePlusB() {
        // W = [[1, -1], [2, 0], [0, 0.5]], b = (0, -3, 1), x = (1, 2):
        // z_pre = (1 - 2 + 0, 2 + 0 - 3, 0 + 1 + 1) = (-1, -1, 2), z = (0, 0, 2)
        Encoder e = Encoders.create(EncoderKind.LINEAR, 2, 3, DType.FLOAT64, new SeededRandom(0));
        e.parameters().get(0).assign(Tensors.matrix(DType.FLOAT64, new double[][] {{1, -1}, {2, 0}, {0, 0.5}}));
        e.parameters().get(1).assign(Tensors.fromFlat(DType.FLOAT64, new double[] {0, -3, 1}, 3));
        Codes c = e.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}}));
        // small integers and halves: exact
        assertArrayEquals(new double[] {-1, -1, 2}, c.preCodes().toDoubleMatrix()[0], 0.0);
        assertArrayEquals(new double[] {0, 0, 2}, c.codes().toDoubleMatrix()[0], 0.0);
    }

    @Test
    void preCodesAreTakenAfterTheNormLayer() {
        // with LayerNorm (w = 1, b = 0) each pre-code row has mean 0 and biased variance
        // v / (v + 1e-5), v the variance of the Linear layer's output row
        Encoder e = encoder(EncoderKind.MLP_LN_1);
        INDArray x = new SeededRandom(1).normal(DType.FLOAT64, 3.0, 5, 4);
        INDArray linear = x.mmul(e.parameters().get(0).value().transpose())
                .addiRowVector(e.parameters().get(1).value());
        INDArray pre = e.forward(x).preCodes();
        for (int i = 0; i < 5; i++) {
            INDArray row = pre.getRow(i);
            double v = linear.getRow(i).var(false).getDouble(0);
            // six standardised values of magnitude up to sqrt(6), each a few roundings off
            assertEquals(0.0, row.meanNumber().doubleValue(), Tolerance.f64(Math.sqrt(6), 16), "row " + i + " mean");
            assertEquals(
                    v / (v + NormLayer.EPS),
                    row.var(false).getDouble(0),
                    Tolerance.f64(6, 16),
                    "row " + i + " variance");
        }
    }

    @Test
    void batchNormWithOneRowInTrainingSaysWhatToDo() {
        Encoder e = encoder(EncoderKind.MLP_BN_1);
        IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> e.forward(Tensors.zeros(DType.FLOAT64, 1, 4)));
        assertTrue(
                ex.getMessage().contains("more than one row")
                        && ex.getMessage().contains("larger batch")
                        && ex.getMessage().contains("mlp_ln"),
                ex.getMessage());
        e.train(false);
        assertEquals(1, e.forward(Tensors.zeros(DType.FLOAT64, 1, 4)).codes().rows(), "one row is fine in eval");
    }

    @Test
    void backwardBeforeForwardIsAnIllegalState() {
        Encoder e = encoder(EncoderKind.MLP_LN_3);
        assertThrows(IllegalStateException.class, () -> e.backward(Tensors.zeros(DType.FLOAT64, 2, 6), null));
    }

    @Test
    void anInputOfTheWrongWidthNamesBothShapes() {
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class,
                () -> encoder(EncoderKind.LINEAR).forward(Tensors.zeros(DType.FLOAT64, 2, 3)));
        assertEquals("encoder input must have shape [batch, 4], was [2, 3]", ex.getMessage());
    }

    @Test
    void encoderKindsParseByTheirOvercompleteNames() {
        assertEquals(EncoderKind.MLP_BN_3, EncoderKind.parse("mlp_bn_3"));
        assertEquals(EncoderKind.MLP_LN_1, EncoderKind.parse("MLP-LN-1"));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> EncoderKind.parse("mlp_gn_1"));
        assertEquals(
                "unknown encoder 'mlp_gn_1'; accepted: identity, linear, mlp_ln_1, mlp_ln_3, mlp_bn_1, mlp_bn_3",
                ex.getMessage());
    }

    @Test
    void sizesMustBePositive() {
        IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class,
                () -> Encoders.create(EncoderKind.LINEAR, 4, 0, DType.FLOAT32, new SeededRandom(0)));
        assertEquals("nbConcepts must be > 0, was 0", ex.getMessage());
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        List<Parameter> a = Encoders.create(EncoderKind.MLP_LN_3, 4, 6, DType.FLOAT32, new SeededRandom(9))
                .parameters();
        List<Parameter> b = Encoders.create(EncoderKind.MLP_LN_3, 4, 6, DType.FLOAT32, new SeededRandom(9))
                .parameters();
        for (int i = 0; i < a.size(); i++) {
            Tolerance.assertIdentical(
                    a.get(i).value(), b.get(i).value(), a.get(i).name());
        }
    }
}
