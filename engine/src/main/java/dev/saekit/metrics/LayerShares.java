package dev.saekit.metrics;

import dev.saekit.data.Dataset;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.SparseAutoencoder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a crosscoder's concepts divide among its layers, as the crosscoder paper reads them: the
 * share of concept {@code j}'s decoder norm that lies in layer {@code l},
 * {@code ||D[j, l]|| / sum_m ||D[j, m]||} (for two layers, the "relative decoder norm" of the second).
 * A concept whose share in one layer exceeds {@code 1 - margin} is specific to that layer; the
 * others are shared. Concepts that never fire on the data are counted apart, as dead: their
 * decoders say nothing.
 *
 * @param shares per concept, its share in each layer ({@code [concepts][layers]})
 * @param fired  per concept, the rows of the data it fired on
 */
public record LayerShares(double[][] shares, long[] fired) {

    /** The shares of {@code crosscoder}'s concepts and how often each fired over {@code data} (its rows side by side). */
    public static LayerShares of(SparseAutoencoder crosscoder, Dataset data, int batchSize) {
        if (!(crosscoder.coder() instanceof CoderSpec.Crosscoder c)) {
            throw new IllegalArgumentException("layer shares are a crosscoder's; this model is a "
                    + crosscoder.coder().kind());
        }
        if (data.cols() != crosscoder.rowWidth()) {
            throw new IllegalArgumentException("the crosscoder reads rows of " + crosscoder.rowWidth() + " ("
                    + c.layers() + " layers side by side) but " + data.description() + " has " + data.cols());
        }
        int concepts = crosscoder.nbConcepts();
        int layers = c.layers();
        double[] norms = CodeNormalization.CROSSCODER
                .weights(crosscoder.getDictionary(), layers)
                .blockNorms()
                .castTo(DataType.DOUBLE)
                .toDoubleVector();
        double[][] shares = new double[concepts][layers];
        for (int j = 0; j < concepts; j++) {
            double sum = 0;
            for (int l = 0; l < layers; l++) {
                sum += norms[j * layers + l];
            }
            for (int l = 0; l < layers; l++) {
                shares[j][l] = sum > 0 ? norms[j * layers + l] / sum : 1.0 / layers;
            }
        }
        long[] fired = new long[concepts];
        crosscoder.eval();
        for (INDArray batch : data.batchesInOrder(batchSize)) {
            INDArray rows = batch.dataType() == crosscoder.dtype().nd4j()
                    ? batch
                    : batch.castTo(crosscoder.dtype().nd4j());
            INDArray codes = crosscoder.forward(rows).codes();
            long[] counts = codes.neq(0).castTo(DataType.LONG).sum(0).toLongVector();
            for (int j = 0; j < concepts; j++) {
                fired[j] += counts[j];
            }
        }
        return new LayerShares(shares, fired);
    }

    public int concepts() {
        return shares.length;
    }

    public int layers() {
        return shares.length == 0 ? 0 : shares[0].length;
    }

    /** Whether concept {@code j} fired at least once. */
    public boolean alive(int j) {
        return fired[j] > 0;
    }

    /** Concepts that never fired. */
    public int dead() {
        int n = 0;
        for (long f : fired) {
            n += f == 0 ? 1 : 0;
        }
        return n;
    }

    /** Live concepts whose share in {@code layer} exceeds {@code 1 - margin}: specific to that layer. */
    public int specificTo(int layer, double margin) {
        int n = 0;
        for (int j = 0; j < shares.length; j++) {
            n += alive(j) && shares[j][layer] > 1 - margin ? 1 : 0;
        }
        return n;
    }

    /** Live concepts specific to no layer (every share at most {@code 1 - margin}). */
    public int shared(double margin) {
        int n = 0;
        for (int j = 0; j < shares.length; j++) {
            if (!alive(j)) {
                continue;
            }
            boolean specific = false;
            for (double s : shares[j]) {
                specific |= s > 1 - margin;
            }
            n += specific ? 0 : 1;
        }
        return n;
    }
}
