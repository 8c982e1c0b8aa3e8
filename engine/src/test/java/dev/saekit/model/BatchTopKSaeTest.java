package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.BatchTopKSae.BatchK;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hand-worked fixture and spec of the BatchTopK SAE ({@link BatchTopKSae}, {@link BatchTopKSpec}). */
class BatchTopKSaeTest {
    /** A momentum whose products with small integers are exact in binary, so that tau is exact. */
    private static final double MOMENTUM = 0.75;

    /**
     * d = 2, c = 3, k = 3 per batch, momentum 0.75. Encoder W = [[1,0],[0,1],[1,1]], b = 0;
     * dictionary (identity normalisation) D = [[1,0],[0,1],[1,-1]]. Training batch
     * x = [[3,-1],[1,1.5]]: pre = [[3,-1,2],[1,1.5,2.5]]; relu over the whole batch
     * [3,0,2, 1,1.5,2.5] sorted: 3, 2.5, 2, 1.5, 1, 0, so t = 2 (the 3rd largest) and codes >= 2
     * survive: z = [[3,0,2],[0,0,2.5]] (two in row 0, one in row 1: k counts over the batch, not
     * per row); x_hat row 0 = 3*[1,0] + 2*[1,-1] = [5,-2], row 1 = 2.5*[1,-1] = [2.5,-2.5].
     * The first training forward sets the running threshold tau = t = 2.
     */
    private static BatchTopKSae fixture() {
        BatchTopKSae m = TestModels.batchTopK(TestModels.handWorked(2, 3), new BatchK.PerBatch(3), MOMENTUM);
        TestModels.set(
                m, "encoder.final_block.0.weight", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1});
        TestModels.setVector(m, "encoder.final_block.0.bias", 0, 0, 0);
        TestModels.set(m, "dictionary._weights", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, -1});
        return m;
    }

    private static INDArray x() {
        return Tensors.matrix(DType.FLOAT64, new double[][] {{3, -1}, {1, 1.5}});
    }

    @Test
    void theKLargestCodesOfTheWholeBatchSurvive() {
        BatchTopKSae m = fixture();
        assertTrue(Double.isNaN(m.runningThreshold()), "no running threshold before the first training forward");
        SaeOutput out = m.forward(x());
        // halves and small integers: every product and sum is exact in float64
        assertArrayEquals(
                new double[] {3, -1, 2, 1, 1.5, 2.5},
                out.preCodes().dup('c').data().asDouble(),
                0);
        assertArrayEquals(
                new double[] {3, 0, 2, 0, 0, 2.5}, out.codes().dup('c').data().asDouble(), 0);
        assertArrayEquals(
                new double[] {5, -2, 2.5, -2.5},
                out.reconstruction().dup('c').data().asDouble(),
                0);
        assertEquals(2, m.lastThreshold());
        assertEquals(2, m.runningThreshold());
    }

    /**
     * x = [[3,-1],[1,2]]: pre = [[3,-1,2],[1,2,3]], batch relu sorted 3, 3, 2, 2, 1, 0: t = 2 and
     * both 2s are kept, four codes for k = 3: z = [[3,0,2],[0,2,3]].
     */
    @Test
    void tiesAtTheThresholdKeepMoreThanK() {
        BatchTopKSae m = fixture();
        SaeOutput out = m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{3, -1}, {1, 2}}));
        assertArrayEquals(
                new double[] {3, 0, 2, 0, 2, 3}, out.codes().dup('c').data().asDouble(), 0);
        assertEquals(2, m.lastThreshold());
    }

    /**
     * After the fixture's batch (tau = 2), a training forward of x = [[1,1]] (pre [1,1,2], k = 3
     * keeps all three, t = 1) moves tau to 0.75*2 + 0.25*1 = 1.75. In eval, x = [[2,-1]]
     * (pre [2,-1,1]) keeps the codes >= 1.75: z = [2,0,0], x_hat = 2*[1,0] = [2,0]; the same row in
     * training would keep the 1 as well (k = 3 per batch).
     */
    @Test
    void everyTrainingForwardMovesTheRunningThresholdThatEvaluationUses() {
        BatchTopKSae m = fixture();
        m.forward(x());
        m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{1, 1}}));
        assertEquals(1, m.lastThreshold());
        assertEquals(1.75, m.runningThreshold()); // 1.5 + 0.25: exact
        m.eval();
        SaeOutput out = m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{2, -1}}));
        assertArrayEquals(new double[] {2, 0, 0}, out.codes().toDoubleVector(), 0);
        assertArrayEquals(new double[] {2, 0}, out.reconstruction().toDoubleVector(), 0);
        assertEquals(1.75, m.lastThreshold());
        assertEquals(1.75, m.runningThreshold(), "evaluation leaves the running threshold alone");
        m.train();
        assertArrayEquals(
                new double[] {2, 0, 1},
                m.forward(Tensors.matrix(DType.FLOAT64, new double[][] {{2, -1}}))
                        .codes()
                        .toDoubleVector(),
                0);
    }

    @Test
    void evaluationBeforeAnyTrainingForwardSaysWhatToDo() {
        BatchTopKSae m = TestModels.batchTopK(Variants.config(4, 8, DType.FLOAT32, 0), new BatchK.PerBatch(4));
        m.eval();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> m.forward(Tensors.ones(DType.FLOAT32, 2, 4)));
        assertTrue(e.getMessage().contains("training-mode forward"), e.getMessage());
    }

    /**
     * MSE on the fixture's batch: x_hat - x = [[2,-1],[1.5,-4]], loss (4 + 1 + 2.25 + 16)/4 = 5.8125,
     * dL/dx_hat = (x_hat - x)/2 = [[1,-0.5],[0.75,-2]]; dL/dz = dL/dx_hat D^T =
     * [[1,-0.5,1.5],[0.75,-2,2.75]], cut to the kept codes [[1,0,1.5],[0,0,2.75]] (the mask carries
     * no gradient): dL/db = [1, 0, 4.25], and dL/dW row 2 = 1.5*[3,-1] + 2.75*[1,1.5] = [7.25, 2.625].
     */
    @Test
    void onlyTheKeptCodesPassTheGradient() {
        BatchTopKSae m = fixture();
        INDArray x = x();
        m.zeroGrad();
        SaeOutput out = m.forward(x);
        LossGradients g = new LossGradients(DType.FLOAT64);
        g.reset(out);
        assertEquals(5.8125, Losses.mse().evaluate(x, out, m.getDictionary(), g), Tolerance.f64(23.25, 4));
        m.backward(g.toOutputGradients());
        assertArrayEquals(
                new double[] {1, 0, 4.25},
                m.parameter("encoder.final_block.0.bias").orElseThrow().grad().toDoubleVector(),
                Tolerance.f64(4.25, 4));
        assertArrayEquals(
                new double[] {7.25, 2.625},
                m.parameter("encoder.final_block.0.weight")
                        .orElseThrow()
                        .grad()
                        .getRow(2)
                        .toDoubleVector(),
                Tolerance.f64(8, 4));
    }

    @Test
    void kPerSampleKeepsKTimesTheRowsOfTheBatch() {
        assertEquals(6, new BatchK.PerSample(3).total(2));
        assertEquals(3, new BatchK.PerBatch(3).total(2));
        // per sample, k = 1 on the fixture's two rows is the 2 largest of the batch: 3 and 2.5
        BatchTopKSae m = TestModels.batchTopK(TestModels.handWorked(2, 3), new BatchK.PerSample(1), MOMENTUM);
        TestModels.set(
                m, "encoder.final_block.0.weight", new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1});
        TestModels.setVector(m, "encoder.final_block.0.bias", 0, 0, 0);
        assertArrayEquals(
                new double[] {3, 0, 0, 0, 0, 2.5},
                m.forward(x()).codes().dup('c').data().asDouble(),
                0);
        assertEquals(2.5, m.lastThreshold());
    }

    @Test
    void theDefaultsAreSixteenPerSampleAndMomentumNineTenths() {
        assertEquals(
                new BatchTopKSpec(new BatchK.PerSample(16), 0.9),
                BatchTopKSpec.KIND.defaults().apply(SaeConfig.of(8, 64)));
        assertEquals(
                new BatchTopKSpec(new BatchK.PerSample(3), 0.9),
                BatchTopKSpec.KIND.defaults().apply(TestModels.handWorked(2, 3)));
        assertEquals(
                BatchTopKSpec.perSample(5), new BatchTopKSpec(new BatchK.PerSample(5), BatchTopKSpec.DEFAULT_MOMENTUM));
    }

    @Test
    void badKAndMomentumAreRejectedWithTheSettingNamed() {
        SpecChecks.rejects(() -> new BatchK.PerBatch(0), "batchtopk", "k", "0", ">= 1 (per batch)");
        SpecChecks.rejects(() -> new BatchK.PerSample(0), "batchtopk", "k", "0", ">= 1 (per sample)");
        SpecChecks.rejects(
                () -> new BatchTopKSpec(new BatchK.PerBatch(4), -0.1), "batchtopk", "momentum", "-0.1", "in [0, 1)");
        SpecChecks.rejects(
                () -> new BatchTopKSpec(new BatchK.PerBatch(4), 1.0), "batchtopk", "momentum", "1.0", "in [0, 1)");
        SpecChecks.rejects(
                () -> ModelSpec.of(SaeConfig.of(4, 8), BatchTopKSpec.perSample(9)),
                "batchtopk",
                "k",
                "9",
                "in 1..8 (the number of concepts) per sample");
        // per batch, k may exceed the number of concepts: a batch of many rows has that many codes
        ModelSpec.of(SaeConfig.of(4, 8), new BatchTopKSpec(new BatchK.PerBatch(100), 0.0));
    }

    @Test
    void theSpecRoundTripsThroughJsonPerSampleAndPerBatch() {
        ObjectNode perSample = SpecChecks.roundTrip(new BatchTopKSpec(new BatchK.PerSample(6), 0.95));
        assertEquals(6, perSample.get("k").asInt());
        assertEquals("sample", perSample.get("k_per").asText());
        assertEquals(0.95, perSample.get("momentum").asDouble());
        ObjectNode perBatch = SpecChecks.roundTrip(new BatchTopKSpec(new BatchK.PerBatch(300), 0.0));
        assertEquals(300, perBatch.get("k").asLong());
        assertEquals("batch", perBatch.get("k_per").asText());
        perBatch.put("k_per", "row");
        InvalidSettingException e =
                assertThrows(InvalidSettingException.class, () -> VariantSpec.fromJson(perBatch, "variant"));
        assertEquals("batchtopk.k_per must be sample or batch, was row", e.getMessage());
    }

    @Test
    void theModelKeepsItsSpecAndTheSpecSaysItSelectsTopK() {
        BatchTopKSpec settings = new BatchTopKSpec(new BatchK.PerBatch(3), MOMENTUM);
        ModelSpec spec = ModelSpec.of(TestModels.handWorked(2, 3), settings);
        BatchTopKSae m = (BatchTopKSae) spec.build();
        assertSame(spec, m.spec());
        assertEquals(new BatchK.PerBatch(3), m.k());
        assertEquals(MOMENTUM, m.momentum());
        assertSame(BatchTopKSpec.KIND, settings.kind());
        assertTrue(settings.usesEncoder());
        assertFalse(settings.sparsityFromLoss());
        assertFalse(settings.nested());
        assertTrue(settings.selectsTopK());
    }
}
