package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.LossGradients;
import dev.saekit.train.MatryoshkaLoss;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-worked fixtures for the prefix Matryoshka (it has no golden case). */
class PrefixMatryoshkaSaeTest {

    /**
     * d = 2, c = 3. Encoder W = [[1,0],[0,1],[1,1]], b = 0, x = [1, 2]: pre = [1, 2, 3], all kept
     * (BatchTopK with k = 3 per batch), z = [1, 2, 3]. Dictionary (identity normalisation)
     * D = [[1,0],[0,1],[1,-1]], prefixes [1, 2] plus the full 3:
     * x_hat_1 = 1*[1,0] = [1,0]; x_hat_2 = [1,0] + 2*[0,1] = [1,2]; x_hat_3 = [1,2] + 3*[1,-1] = [4,-1].
     * Uniform MSE: level losses ((1-1)^2 + (0-2)^2)/2 = 2, 0, ((4-1)^2 + (-1-2)^2)/2 = 9; mean 11/3.
     */
    private static PrefixMatryoshkaSae fixture() {
        SaeConfig config = new SaeConfig(2, 3, EncoderKind.LINEAR, new DictionaryConfig(Normalization.IDENTITY, false),
                DType.FLOAT64, 0);
        PrefixMatryoshkaSae m = TestModels.prefixMatryoshka(config, List.of(2, 1), new BatchTopKSae.BatchK.PerBatch(3), 0.9);
        m.parameter("encoder.final_block.0.weight").orElseThrow().assign(Tensors.matrix(DType.FLOAT64,
                new double[][]{{1, 0}, {0, 1}, {1, 1}}));
        m.parameter("encoder.final_block.0.bias").orElseThrow().assign(Tensors.zeros(DType.FLOAT64, 3));
        m.parameter("dictionary._weights").orElseThrow().assign(Tensors.matrix(DType.FLOAT64,
                new double[][]{{1, 0}, {0, 1}, {1, -1}}));
        return m;
    }

    @Test
    void eachLevelReconstructsWithItsPrefixOfAtoms() {
        PrefixMatryoshkaSae m = fixture();
        assertArrayEquals(new int[]{1, 2, 3}, m.prefixes());
        SaeOutput out = m.forward(Tensors.matrix(DType.FLOAT64, new double[][]{{1, 2}}));
        assertArrayEquals(new double[]{1, 2, 3}, out.codes().toDoubleVector(), 0);
        assertArrayEquals(new double[]{1, 0}, out.nested().get(0).toDoubleVector(), 0);
        assertArrayEquals(new double[]{1, 2}, out.nested().get(1).toDoubleVector(), 0);
        assertArrayEquals(new double[]{4, -1}, out.nested().get(2).toDoubleVector(), 0);
        assertArrayEquals(new double[]{4, -1}, out.reconstruction().toDoubleVector(), 0);
    }

    /**
     * The loss is 11/3. Gradient of the first atom from level 1 only (the weight 1/3 and the MSE
     * mean over 2 entries give 2/(3*2) = 1/3 per residual unit): level 1's residual is
     * [1,0] - [1,2] = [0,-2], times z_0 = 1 -> [0, -2/3]; level 2's residual [0, 0]; level 3's
     * [3, -3] -> [1, -1]. Sum for atom 0: [1, -5/3].
     */
    @Test
    void theUniformLossAndTheFirstAtomsGradientMatchTheHandComputation() {
        PrefixMatryoshkaSae m = fixture();
        INDArray x = Tensors.matrix(DType.FLOAT64, new double[][]{{1, 2}});
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        double loss = MatryoshkaLoss.uniform(MatryoshkaLoss.Kind.MSE).evaluate(x, out, m.getDictionary(), g);
        assertEquals(11.0 / 3.0, loss, Tolerance.f64(11, 8)); // squares up to 9, three levels, weights and means
        m.backward(g.toOutputGradients());
        INDArray gradD = m.parameter("dictionary._weights").orElseThrow().grad();
        assertArrayEquals(new double[]{1, -5.0 / 3.0}, gradD.getRow(0).toDoubleVector(), Tolerance.f64(3, 8));
    }
}
