package dev.saekit.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Accumulates metrics batch by batch so that the result equals the metric of the whole data set:
 * sums of squares, per-dimension sums for the variance, code counts and a per-concept activity
 * mask. All sums are kept in double precision.
 */
public final class Evaluation {
    private long rows;
    private long entries;
    private double sumSqResidual;
    private double sum;
    private double sumSq;
    private double[] dimSum;
    private double[] dimSumSq;
    private double l0Count;
    private double nonZero;
    private long codeEntries;
    private boolean[] active;
    private double hoyerSum;
    private double kappaSum;
    private double cosineSum;

    /**
     * The metrics of {@code model} over every row of {@code data}, in row order, batch by batch in
     * evaluation mode (the model is left in evaluation mode).
     */
    public static EvalMetrics of(
            dev.saekit.model.SparseAutoencoder model, dev.saekit.data.Dataset data, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, was " + batchSize);
        }
        if (data.cols() != model.rowWidth()) {
            throw new IllegalArgumentException("data " + data.description() + " has rows of width " + data.cols()
                    + " but the " + model.coder().kind() + " expects width " + model.rowWidth()
                    + (model.rowWidth() == model.inputDim()
                            ? ""
                            : " (its input, " + model.inputDim() + ", then its target, " + model.outputDim() + ")"));
        }
        model.eval();
        Evaluation evaluation = new Evaluation();
        for (INDArray x : data.batchesInOrder(batchSize)) {
            INDArray rows = x.dataType() == model.dtype().nd4j()
                    ? x
                    : x.castTo(model.dtype().nd4j());
            // the metrics compare the output with the target: the input itself, or a transcoder's target
            dev.saekit.model.SaeOutput out = model.forward(model.inputOf(rows));
            evaluation.add(model.targetOf(rows), out.reconstruction(), out.codes());
        }
        return evaluation.result();
    }

    /** Adds a batch: targets (an autoencoder's inputs), the model's outputs for them, and the codes. */
    public void add(INDArray x, INDArray xHat, INDArray z) {
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray rd = xHat.castTo(DataType.DOUBLE);
        long b = x.rows();
        if (dimSum == null) {
            dimSum = new double[(int) x.columns()];
            dimSumSq = new double[(int) x.columns()];
            active = new boolean[(int) z.columns()];
        }
        rows += b;
        entries += x.length();
        sumSqResidual += xd.squaredDistance(rd);
        sum += xd.sumNumber().doubleValue();
        INDArray sq = Transforms.pow(xd, 2, true);
        sumSq += sq.sumNumber().doubleValue();
        double[] s = xd.sum(0).toDoubleVector();
        double[] s2 = sq.sum(0).toDoubleVector();
        for (int j = 0; j < s.length; j++) {
            dimSum[j] += s[j];
            dimSumSq[j] += s2[j];
        }
        l0Count += Metrics.count(z, Conditions.absGreaterThanOrEqual(Metrics.L0_THRESHOLD));
        nonZero += Metrics.count(z, Conditions.notEquals(0.0));
        codeEntries += z.length();
        double[] activity = z.amax(0).castTo(DataType.DOUBLE).toDoubleVector();
        for (int j = 0; j < activity.length; j++) {
            active[j] |= activity[j] != 0.0;
        }
        hoyerSum += z.columns() > 1 ? Metrics.hoyer(z) * b : Double.NaN; // Hoyer needs two concepts
        kappaSum += Metrics.kappa4(z) * b;
        cosineSum += Metrics.cosineSimilarity(x, xHat) * b;
    }

    public long rows() {
        return rows;
    }

    /** The metrics of every batch added so far; an error if none was. */
    public EvalMetrics result() {
        if (rows == 0) {
            throw new IllegalStateException("no batch was evaluated");
        }
        double mse = sumSqResidual / entries;
        double mean = sum / entries;
        double totalVariance = sumSq / entries - mean * mean;
        double perDim = 0;
        for (int j = 0; j < dimSum.length; j++) {
            perDim += dimSumSq[j] - dimSum[j] * dimSum[j] / rows;
        }
        double fvu = sumSqResidual / perDim;
        int dead = 0;
        for (boolean a : active) {
            dead += a ? 0 : 1;
        }
        return new EvalMetrics(
                rows,
                mse,
                1.0 - mse / (totalVariance + Metrics.EPSILON),
                1.0 - fvu,
                fvu,
                l0Count / rows,
                nonZero / codeEntries,
                (double) dead / active.length,
                hoyerSum / rows,
                kappaSum / rows,
                cosineSum / rows);
    }
}
