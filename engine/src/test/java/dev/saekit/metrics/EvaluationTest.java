package dev.saekit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Metrics accumulated batch by batch equal the metrics of the whole data set. */
class EvaluationTest {
    /** The most entries any compared sum runs over (11 rows x 6 codes). */
    private static final int ENTRIES = 66;

    /**
     * Each metric combines a few sums of at most {@link #ENTRIES} terms, accumulated batch by batch
     * on one side and whole on the other: each order of a sum errs by at most {@code ENTRIES eps}
     * relative to its terms, and a ratio of two such sums (or a variance from sums of squares, over
     * data whose mean is about its spread) by a few times that, relative to its magnitude.
     */
    private static void assertSameMetric(double expected, double actual, String what) {
        assertEquals(expected, actual, Tolerance.f64(Math.max(1, Math.abs(expected)), 8 * ENTRIES), what);
    }

    private static INDArray rows(INDArray a, int from, int to) {
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
    }

    @Test
    void severalBatchesGiveTheMetricsOfTheConcatenatedData() {
        SeededRandom rng = new SeededRandom(8);
        INDArray x = rng.normal(DType.FLOAT64, 1.0, 11, 5).addi(0.7);
        INDArray xHat = x.add(rng.normal(DType.FLOAT64, 0.3, 11, 5));
        INDArray z = Transforms.relu(rng.normal(DType.FLOAT64, 1.0, 11, 6), true);
        z.getColumn(4).assign(0); // never fires: dead
        z.getColumn(5).assign(0);
        z.putScalar(10, 5, 0.5); // fires in the last row only: alive over the data set
        Evaluation eval = new Evaluation();
        for (int[] b : List.of(new int[] {0, 4}, new int[] {4, 8}, new int[] {8, 11})) {
            eval.add(rows(x, b[0], b[1]), rows(xHat, b[0], b[1]), rows(z, b[0], b[1]));
        }
        EvalMetrics r = eval.result();
        assertEquals(11, r.rows());
        assertSameMetric(Metrics.mse(x, xHat), r.mse(), "mse");
        assertSameMetric(Metrics.r2(x, xHat), r.r2(), "r2");
        assertSameMetric(Metrics.fvu(x, xHat), r.fvu(), "fvu");
        assertSameMetric(Metrics.explainedVariance(x, xHat), r.explainedVariance(), "explainedVariance");
        assertEquals(Metrics.l0PerSample(z), r.l0(), 0.0, "l0: counts, exact");
        assertEquals(Metrics.l0Fraction(z), r.l0Fraction(), 0.0, "l0Fraction: counts, exact");
        assertEquals(1.0 / 6, r.deadFraction(), 0.0, "deadFraction: counts, exact");
        assertEquals(Metrics.deadFraction(z), r.deadFraction(), 0.0, "deadFraction: counts, exact");
        assertSameMetric(Metrics.hoyer(z), r.hoyer(), "hoyer");
        assertSameMetric(Metrics.kappa4(z), r.kappa4(), "kappa4");
        assertSameMetric(Metrics.cosineSimilarity(x, xHat), r.cosineSimilarity(), "cosineSimilarity");
    }

    @Test
    void fvuOverBatchesIsNotTheMeanOfTheBatchFvus() {
        // two batches around 1 and around 5: each batch varies little, so each batch's fvu is large;
        // over the data set the per-dimension mean is 3 and the total variance is large
        INDArray a = Transforms.abs(new SeededRandom(1).normal(DType.FLOAT64, 0.1, 3, 2), true)
                .addi(1);
        INDArray b = a.add(4);
        INDArray noise = a.mul(0.5);
        Evaluation eval = new Evaluation();
        eval.add(a, a.add(noise), a);
        eval.add(b, b.add(noise), b);
        double batchMean = (Metrics.fvu(a, a.add(noise)) + Metrics.fvu(b, b.add(noise))) / 2;
        double whole = eval.result().fvu();
        assertSameMetric(Metrics.fvu(Nd4j.vstack(a, b), Nd4j.vstack(a.add(noise), b.add(noise))), whole, "whole");
        assertTrue(whole < batchMean / 10, "whole " + whole + ", mean of batches " + batchMean);
    }

    @Test
    void aResultWithoutAnyBatchIsAnIllegalState() {
        assertThrows(IllegalStateException.class, () -> new Evaluation().result());
    }

    @Test
    void toMapNamesTheMetricsInSnakeCase() {
        EvalMetrics m = new EvalMetrics(3, 0.1, 0.2, 0.3, 0.7, 4, 0.5, 0.25, 0.6, 0.4, 0.9);
        assertEquals(
                List.of(
                        "rows",
                        "mse",
                        "r2",
                        "explained_variance",
                        "fvu",
                        "l0",
                        "l0_fraction",
                        "dead_fraction",
                        "hoyer",
                        "kappa4",
                        "cosine_similarity"),
                List.copyOf(m.toMap().keySet()));
        assertEquals(0.7, m.toMap().get("fvu"));
    }

    @Test
    void aModelIsEvaluatedOverEveryRowOfADataSetInEvalMode() {
        dev.saekit.model.SparseAutoencoder model = dev.saekit.model.TestModels.vanilla(
                dev.saekit.model.SaeConfig.of(5, 7).withDType(DType.FLOAT64).withSeed(3));
        INDArray x = new SeededRandom(9).normal(DType.FLOAT64, 1.0, 13, 5);
        EvalMetrics whole = Evaluation.of(model.train(), dev.saekit.data.InMemoryDataset.of(x, "13 rows"), 4);
        assertTrue(!model.isTraining(), "left in evaluation mode");
        dev.saekit.model.SaeOutput out = model.forward(x);
        Evaluation one = new Evaluation();
        one.add(x, out.reconstruction(), out.codes());
        EvalMetrics expected = one.result();
        assertEquals(13, whole.rows());
        assertSameMetric(expected.mse(), whole.mse(), "mse");
        assertSameMetric(expected.r2(), whole.r2(), "r2");
        assertEquals(expected.l0(), whole.l0(), 0.0, "l0: counts, exact");
        assertEquals(expected.deadFraction(), whole.deadFraction(), 0.0, "deadFraction: counts, exact");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Evaluation.of(model, dev.saekit.data.InMemoryDataset.of(x, "13 rows"), 0));
        assertEquals("batchSize must be > 0, was 0", e.getMessage());
    }
}
