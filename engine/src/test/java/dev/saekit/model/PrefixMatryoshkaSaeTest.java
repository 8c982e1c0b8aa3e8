package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae.BatchK;
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
        SaeConfig config = new SaeConfig(
                2, 3, EncoderKind.LINEAR, new DictionaryConfig(Normalization.IDENTITY, false), DType.FLOAT64, 0);
        PrefixMatryoshkaSae m =
                TestModels.prefixMatryoshka(config, List.of(2, 1), new BatchTopKSae.BatchK.PerBatch(3), 0.9);
        m.parameter("encoder.final_block.0.weight").orElseThrow().assign(Tensors.matrix(DType.FLOAT64, new double[][] {
            {1, 0}, {0, 1}, {1, 1}
        }));
        m.parameter("encoder.final_block.0.bias").orElseThrow().assign(Tensors.zeros(DType.FLOAT64, 3));
        m.parameter("dictionary._weights").orElseThrow().assign(Tensors.matrix(DType.FLOAT64, new double[][] {
            {1, 0}, {0, 1}, {1, -1}
        }));
        return m;
    }

    @Test
    void eachLevelReconstructsWithItsPrefixOfAtoms() {
        PrefixMatryoshkaSae m = fixture();
        assertArrayEquals(new int[] {1, 2, 3}, m.prefixes());
        SaeOutput out = m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}}));
        assertArrayEquals(new double[] {1, 2, 3}, out.codes().toDoubleVector(), 0);
        assertArrayEquals(new double[] {1, 0}, out.nested().get(0).toDoubleVector(), 0);
        assertArrayEquals(new double[] {1, 2}, out.nested().get(1).toDoubleVector(), 0);
        assertArrayEquals(new double[] {4, -1}, out.nested().get(2).toDoubleVector(), 0);
        assertArrayEquals(new double[] {4, -1}, out.reconstruction().toDoubleVector(), 0);
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
        INDArray x = Tensors.matrix(DType.FLOAT64, new double[][] {{1, 2}});
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        double loss = MatryoshkaLoss.uniform(MatryoshkaLoss.Kind.MSE).evaluate(x, out, m.getDictionary(), g);
        assertEquals(11.0 / 3.0, loss, Tolerance.f64(11, 8)); // squares up to 9, three levels, weights and means
        m.backward(g.toOutputGradients());
        INDArray gradD = m.parameter("dictionary._weights").orElseThrow().grad();
        assertArrayEquals(new double[] {1, -5.0 / 3.0}, gradD.getRow(0).toDoubleVector(), Tolerance.f64(3, 8));
    }

    @Test
    void theDefaultsArePrefixesOfASixteenthAndAQuarterWithSixteenCodesPerSample() {
        assertEquals(
                new PrefixMatryoshkaSpec(List.of(4, 16), new BatchK.PerSample(16), 0.9),
                PrefixMatryoshkaSpec.KIND.defaults().apply(SaeConfig.of(8, 64)));
        // c = 3: both prefixes round up to 1, kept once, and k shrinks to the number of concepts
        assertEquals(
                new PrefixMatryoshkaSpec(List.of(1), new BatchK.PerSample(3), 0.9),
                PrefixMatryoshkaSpec.KIND.defaults().apply(SaeConfig.of(2, 3)));
        assertEquals(
                List.of(1, 2, 5),
                new PrefixMatryoshkaSpec(List.of(5, 1, 2), new BatchK.PerBatch(3), 0.9).prefixes(),
                "the prefixes are kept sorted");
    }

    @Test
    void badPrefixesKAndMomentumAreRejectedWithTheSettingNamed() {
        BatchK k = new BatchK.PerSample(2);
        SpecChecks.rejects(
                () -> new PrefixMatryoshkaSpec(List.of(0, 4), k, 0.9),
                "matryoshka",
                "prefixes",
                "[0, 4]",
                "sizes >= 1");
        SpecChecks.rejects(
                () -> new PrefixMatryoshkaSpec(List.of(4, 4), k, 0.9),
                "matryoshka",
                "prefixes",
                "[4, 4]",
                "distinct sizes");
        SpecChecks.rejects(
                () -> new PrefixMatryoshkaSpec(List.of(4), k, 1.0), "matryoshka", "momentum", "1.0", "in [0, 1)");
        SpecChecks.rejects(
                () -> ModelSpec.of(SaeConfig.of(4, 8), new PrefixMatryoshkaSpec(List.of(4, 9), k, 0.9)),
                "matryoshka",
                "prefixes",
                "[4, 9]",
                "sizes in 1..8 (the number of concepts)");
        SpecChecks.rejects(
                () -> ModelSpec.of(
                        SaeConfig.of(4, 8), new PrefixMatryoshkaSpec(List.of(4), new BatchK.PerSample(9), 0.9)),
                "matryoshka",
                "k",
                "9",
                "in 1..8 (the number of concepts) per sample");
        // no prefix at all: the whole dictionary is the only level
        assertArrayEquals(
                new int[] {8},
                ((PrefixMatryoshkaSae) ModelSpec.of(SaeConfig.of(4, 8), new PrefixMatryoshkaSpec(List.of(), k, 0.9))
                                .build())
                        .prefixes());
    }

    @Test
    void theSpecRoundTripsThroughJson() {
        ObjectNode json =
                SpecChecks.roundTrip(new PrefixMatryoshkaSpec(List.of(10, 5, 40), new BatchK.PerSample(6), 0.95));
        assertEquals("[5,10,40]", json.get("prefixes").toString());
        assertEquals(6, json.get("k").asInt());
        assertEquals("sample", json.get("k_per").asText());
        assertEquals(0.95, json.get("momentum").asDouble());
        SpecChecks.roundTrip(new PrefixMatryoshkaSpec(List.of(), new BatchK.PerBatch(300), 0.0));
    }

    @Test
    void theModelKeepsItsSpecAndTheSpecSaysItIsNestedAndSelectsTopK() {
        PrefixMatryoshkaSpec settings = new PrefixMatryoshkaSpec(List.of(2, 1), new BatchK.PerBatch(3), 0.9);
        ModelSpec spec = ModelSpec.of(fixture().config(), settings);
        SparseAutoencoder m = spec.build();
        assertTrue(m instanceof PrefixMatryoshkaSae);
        assertSame(spec, m.spec());
        assertSame(PrefixMatryoshkaSpec.KIND, settings.kind());
        assertTrue(settings.usesEncoder());
        assertFalse(settings.sparsityFromLoss());
        assertTrue(settings.nested());
        assertTrue(settings.selectsTopK());
    }
}
