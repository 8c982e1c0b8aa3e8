package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-worked fixture and spec of the TopK SAE ({@link TopKSae}, {@link TopKSpec}). */
class TopKSaeTest {

    /**
     * d = 2, c = 3, k = 2. Encoder W = [[1,0],[0,1],[1,1]], b = 0; dictionary (identity
     * normalisation) D = [[1,0],[0,1],[1,-1]]. Two rows, x = [[3,-1],[1,2]]:
     * pre = [[3,-1,2],[1,2,3]]; per row the 2 largest: row 0 keeps 3 and 2 -> z = [3,0,2],
     * row 1 keeps 2 and 3 -> z = [0,2,3] (the 1 is dropped although positive);
     * x_hat row 0 = 3*[1,0] + 2*[1,-1] = [5,-2], row 1 = 2*[0,1] + 3*[1,-1] = [3,-1].
     */
    private static TopKSae fixture() {
        TopKSae m = TestModels.topK(TestModels.handWorked(2, 3), 2);
        TestModels.set(
                m, "encoder.final_block.0.weight", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1});
        TestModels.setVector(m, "encoder.final_block.0.bias", 0, 0, 0);
        TestModels.set(m, "dictionary._weights", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, -1});
        return m;
    }

    private static INDArray x() {
        return Tensors.matrix(DType.FLOAT64, new double[][] {{3, -1}, {1, 2}});
    }

    @Test
    void eachRowKeepsItsKLargestCodes() {
        SaeOutput out = fixture().forward(x());
        // small integers: every product and sum is exact in float64
        assertArrayEquals(
                new double[] {3, -1, 2, 1, 2, 3}, out.preCodes().dup('c').data().asDouble(), 0);
        assertArrayEquals(
                new double[] {3, 0, 2, 0, 2, 3}, out.codes().dup('c').data().asDouble(), 0);
        assertArrayEquals(
                new double[] {5, -2, 3, -1},
                out.reconstruction().dup('c').data().asDouble(),
                0);
        assertEquals(4, out.sparseCodes().nonZeros(), "the sparse codes hold the 2 kept codes of each row");
    }

    /**
     * MSE: x_hat - x = [[2,-1],[2,-3]], loss (4 + 1 + 4 + 9)/4 = 4.5, dL/dx_hat = (x_hat - x)/2 =
     * [[1,-0.5],[1,-1.5]]. dL/dz = dL/dx_hat D^T = [[1,-0.5,1.5],[1,-1.5,2.5]], cut to the kept codes:
     * [[1,0,1.5],[0,-1.5,2.5]]; summed over rows, dL/db = [1,-1.5,4]: the dropped codes (row 0's -1,
     * row 1's 1) send nothing to the encoder. dL/dW row 2 = 1.5*[3,-1] + 2.5*[1,2] = [7,3.5]. The
     * dictionary: atom 2 = 2*[1,-0.5] + 3*[1,-1.5] = [5,-5.5].
     */
    @Test
    void onlyTheKeptCodesPassTheGradient() {
        TopKSae m = fixture();
        INDArray x = x();
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        assertEquals(4.5, Losses.mse().evaluate(x, out, m.getDictionary(), g), Tolerance.f64(18, 4));
        m.backward(g.toOutputGradients());
        assertArrayEquals(
                new double[] {1, -1.5, 4},
                m.parameter("encoder.final_block.0.bias").orElseThrow().grad().toDoubleVector(),
                Tolerance.f64(4, 4));
        INDArray gradW =
                m.parameter("encoder.final_block.0.weight").orElseThrow().grad();
        assertArrayEquals(new double[] {7, 3.5}, gradW.getRow(2).toDoubleVector(), Tolerance.f64(8, 4));
        INDArray gradD = m.parameter("dictionary._weights").orElseThrow().grad();
        assertArrayEquals(new double[] {5, -5.5}, gradD.getRow(2).toDoubleVector(), Tolerance.f64(6, 4));
    }

    @Test
    void evaluationKeepsTheSameKPerRow() {
        TopKSae m = fixture();
        m.eval();
        assertArrayEquals(
                new double[] {3, 0, 2, 0, 2, 3},
                m.forward(x()).codes().dup('c').data().asDouble(),
                0);
    }

    @Test
    void theDefaultKIsSixteenOrEveryConcept() {
        assertEquals(new TopKSpec(16), TopKSpec.KIND.defaults().apply(SaeConfig.of(8, 64)));
        assertEquals(new TopKSpec(3), TopKSpec.KIND.defaults().apply(TestModels.handWorked(2, 3)));
        assertEquals(16, TopKSpec.DEFAULT_K);
    }

    @Test
    void kMustBePositiveAndAtMostTheNumberOfConcepts() {
        SpecChecks.rejects(() -> new TopKSpec(0), "topk", "k", "0", ">= 1");
        SpecChecks.rejects(() -> new TopKSpec(-3), "topk", "k", "-3", ">= 1");
        SpecChecks.rejects(
                () -> ModelSpec.of(SaeConfig.of(4, 8), new TopKSpec(9)),
                "topk",
                "k",
                "9",
                "in 1..8 (the number of concepts)");
        ModelSpec.of(SaeConfig.of(4, 8), new TopKSpec(8)); // every concept may be kept
    }

    @Test
    void theSpecRoundTripsThroughJson() {
        ObjectNode json = SpecChecks.roundTrip(new TopKSpec(5));
        assertEquals(5, json.get("k").asInt());
        assertEquals(2, json.size(), "name and k: " + json);
    }

    @Test
    void theModelKeepsItsSpecAndTheSpecSaysItSelectsTopK() {
        TopKSpec settings = new TopKSpec(2);
        ModelSpec spec = ModelSpec.of(TestModels.handWorked(2, 3), settings);
        TopKSae m = (TopKSae) spec.build();
        assertSame(spec, m.spec());
        assertEquals(2, m.k());
        assertSame(TopKSpec.KIND, settings.kind());
        assertTrue(settings.usesEncoder());
        assertFalse(settings.sparsityFromLoss());
        assertFalse(settings.nested());
        assertTrue(settings.selectsTopK());
    }
}
