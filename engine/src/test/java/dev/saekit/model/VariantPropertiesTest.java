package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.conditions.Conditions;

/** Invariants of the variants over random shapes, seeds and settings. */
class VariantPropertiesTest {

    @Property(tries = 25)
    void topKKeepsAtMostKNonZerosPerRow(
            @ForAll @IntRange(min = 2, max = 40) int concepts,
            @ForAll @IntRange(min = 1, max = 40) int kWanted,
            @ForAll long seed) {
        int k = Math.min(kWanted, concepts);
        TopKSae m = TestModels.topK(Variants.config(6, concepts, DType.FLOAT32, seed), k);
        INDArray z = m.forward(new SeededRandom(seed + 1).normal(DType.FLOAT32, 1.0, 9, 6))
                .codes();
        for (int r = 0; r < 9; r++) {
            assertTrue(z.getRow(r).scan(Conditions.notEquals(0.0)).intValue() <= k);
        }
    }

    @Property(tries = 25)
    void batchTopKKeepsKCodesPerBatchInTraining(
            @ForAll @IntRange(min = 2, max = 40) int concepts,
            @ForAll @IntRange(min = 1, max = 60) int k,
            @ForAll long seed) {
        BatchTopKSae m = TestModels.batchTopK(
                Variants.config(6, concepts, DType.FLOAT64, seed), new BatchTopKSae.BatchK.PerBatch(k));
        INDArray z = m.forward(new SeededRandom(seed + 1).normal(DType.FLOAT64, 1.0, 9, 6))
                .codes();
        long positive = z.scan(Conditions.greaterThan(0.0)).longValue();
        long nonNegativeCandidates = Math.min(k, 9L * concepts);
        // continuous random data has no ties: exactly k survive, unless fewer than k codes are positive
        assertTrue(positive <= nonNegativeCandidates);
        if (m.lastThreshold() > 0) {
            assertEquals(nonNegativeCandidates, positive);
        }
    }

    @Property(tries = 20)
    void matchingPursuitResidualNeverGrowsWithUnitAtoms(
            @ForAll @IntRange(min = 4, max = 30) int concepts, @ForAll long seed) {
        INDArray x = new SeededRandom(seed + 1).normal(DType.FLOAT64, 1.0, 7, 5);
        double[] previous = x.norm2(1).toDoubleVector();
        for (int k = 1; k <= 5; k++) {
            MpSae m = TestModels.mp(Variants.config(5, concepts, DType.FLOAT64, seed), k, null);
            double[] norms = m.encode(x).preCodes().norm2(1).toDoubleVector();
            for (int r = 0; r < norms.length; r++) {
                // a pursuit step removes a projection: the residual's norm can only grow by its rounding
                assertTrue(norms[r] <= previous[r] + Tolerance.f64(previous[r], 4 * 5), "step " + k + " row " + r);
            }
            previous = norms;
        }
    }

    @Property(tries = 25)
    void archetypalWStaysRowStochasticAfterProjection(
            @ForAll @IntRange(min = 1, max = 12) int concepts,
            @ForAll @IntRange(min = 0, max = 10) int extraPoints,
            @ForAll long seed) {
        SeededRandom rng = new SeededRandom(seed);
        RelaxedArchetypalDictionary d = new RelaxedArchetypalDictionary(
                concepts, rng.normal(DType.FLOAT64, 1.0, concepts + extraPoints, 4), 0.5, true, DType.FLOAT64);
        d.parameter(RelaxedArchetypalDictionary.W)
                .orElseThrow()
                .value()
                .addi(rng.normal(DType.FLOAT64, 0.5, concepts, concepts + extraPoints));
        d.parameter(RelaxedArchetypalDictionary.RELAX)
                .orElseThrow()
                .value()
                .addi(rng.normal(DType.FLOAT64, 2.0, concepts, 4));
        double[] raw = org.nd4j.linalg.ops.transforms.Transforms.relu(
                        d.parameter(RelaxedArchetypalDictionary.W).orElseThrow().value(), true)
                .sum(1)
                .toDoubleVector();
        d.project();
        INDArray w = d.parameter(RelaxedArchetypalDictionary.W).orElseThrow().value();
        assertTrue(w.minNumber().doubleValue() >= 0, "W is non-negative");
        double[] sums = w.sum(1).toDoubleVector();
        for (int i = 0; i < sums.length; i++) {
            // rows are divided by (sum + 1e-8), as the reference does: a row sums to s / (s + 1e-8)
            // (the row's sum, +1e-8, a division per entry, and the sum again: two sums of n values up to 1)
            int n = concepts + extraPoints;
            assertEquals(
                    raw[i] / (raw[i] + 1e-8),
                    sums[i],
                    Tolerance.f64(Math.max(1, raw[i]), 2 * n + 2),
                    "row " + i + " of W after projection");
        }
        for (double n : d.parameter(RelaxedArchetypalDictionary.RELAX)
                .orElseThrow()
                .value()
                .norm2(1)
                .toDoubleVector()) {
            // a row scaled to delta / |row| has norm delta up to two norms (4 entries) and a product
            assertTrue(n <= 0.5 + Tolerance.f64(0.5, 2 * 4 + 2), "each relaxation row's norm is at most delta");
        }
    }
}
