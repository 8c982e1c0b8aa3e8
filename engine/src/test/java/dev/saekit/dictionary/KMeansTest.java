package dev.saekit.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class KMeansTest {

    /** Three tight clusters around (0,0), (10,0), (0,10): the centroids land on them. */
    @Test
    void findsWellSeparatedClusters() {
        SeededRandom rng = new SeededRandom(1);
        double[][] centres = {{0, 0}, {10, 0}, {0, 10}};
        double[][] rows = new double[90][];
        for (int i = 0; i < 90; i++) {
            double[] c = centres[i % 3];
            rows[i] = new double[] {c[0] + 0.1 * rng.nextGaussian(), c[1] + 0.1 * rng.nextGaussian()};
        }
        INDArray centroids = KMeans.fit(Tensors.matrix(DType.FLOAT64, rows), 3, 20, 7);
        for (double[] c : centres) {
            double best = Double.MAX_VALUE;
            for (int j = 0; j < 3; j++) {
                double[] got = centroids.getRow(j).toDoubleVector();
                best = Math.min(best, Math.hypot(got[0] - c[0], got[1] - c[1]));
            }
            assertTrue(best < 0.1, "a centroid near " + Arrays.toString(c) + " (closest at " + best + ")");
        }
    }

    @Test
    void isDeterministicForASeedAndValidatesK() {
        INDArray data = new SeededRandom(2).normal(DType.FLOAT32, 1.0, 50, 3);
        Tolerance.assertIdentical(
                KMeans.fit(data, 5, 10, 3), KMeans.fit(data, 5, 10, 3), "the centroids of a second fit");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KMeans.fit(data, 51, 10, 3));
        assertTrue(e.getMessage().contains("rows=50") && e.getMessage().contains("51"), e.getMessage());
    }

    @Test
    void aDataSetIsClusteredOnASeededSampleOfItsRows() {
        INDArray rows = new SeededRandom(4).normal(DType.FLOAT64, 1.0, 40, 3);
        dev.saekit.data.InMemoryDataset data = dev.saekit.data.InMemoryDataset.of(rows, "40 rows");
        INDArray fromData = KMeans.fit(data, 5, 16, 10, 7);
        Tolerance.assertIdentical(KMeans.fit(data.sample(16, 7), 5, 10, 7), fromData, "the centroids of the sample");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KMeans.fit(data, 5, 4, 10, 7));
        assertEquals("maxRows must be >= k=5 (k-means needs a row per centroid), was 4", e.getMessage());
    }
}
