package dev.saekit.onnx.splice;

import dev.saekit.metrics.EvalMetrics;
import dev.saekit.metrics.Evaluation;
import dev.saekit.metrics.Metrics;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Running reconstruction metrics; see {@link ReconstructionQuality}. Batches are gathered into
 * chunks of up to {@value #CHUNK_ROWS} rows (and {@value #CHUNK_CODES} code values) before they
 * reach the engine's {@link Evaluation}, whose cost is mostly per call: a recogniser's line is a
 * few dozen rows.
 */
final class QualityTally {
    static final int CHUNK_ROWS = 4096;
    static final long CHUNK_CODES = 1L << 22;

    private final Evaluation evaluation = new Evaluation();
    private final int width;
    private final long[] fires;
    private final List<float[]> xs = new ArrayList<>();
    private final List<float[]> xHats = new ArrayList<>();
    private final List<float[]> codes = new ArrayList<>();
    private int pendingRows;
    private double l2RatioSum;
    private long l2Rows;

    QualityTally(int width, int latents) {
        this.width = width;
        this.fires = new long[latents];
    }

    /** Adds rows {@code x} ({@code [n, width]}, row-major), their reconstructions and codes ({@code [n, latents]}). */
    void add(float[] x, float[] xHat, INDArray z) {
        int n = x.length / width;
        Tensors.requireShape("the SAE's codes", z, n, fires.length);
        float[] c = Tensors.copy(z, DType.FLOAT32).reshape(z.length()).toFloatVector();
        for (int r = 0; r < n; r++) {
            double xx = 0;
            double rr = 0;
            for (int j = r * width; j < (r + 1) * width; j++) {
                xx += (double) x[j] * x[j];
                rr += (double) xHat[j] * xHat[j];
            }
            if (xx > 0) {
                l2RatioSum += Math.sqrt(rr / xx);
                l2Rows++;
            }
            for (int j = r * fires.length; j < (r + 1) * fires.length; j++) {
                fires[j - r * fires.length] += Math.abs(c[j]) >= Metrics.L0_THRESHOLD ? 1 : 0;
            }
        }
        xs.add(x);
        xHats.add(xHat);
        codes.add(c);
        pendingRows += n;
        if (pendingRows >= CHUNK_ROWS || (long) pendingRows * fires.length >= CHUNK_CODES) {
            flush();
        }
    }

    private void flush() {
        if (pendingRows == 0) {
            return;
        }
        evaluation.add(
                Tensors.fromFlat(DType.FLOAT32, concat(xs, pendingRows * width), pendingRows, width),
                Tensors.fromFlat(DType.FLOAT32, concat(xHats, pendingRows * width), pendingRows, width),
                Tensors.fromFlat(
                        DType.FLOAT32,
                        concat(codes, Math.toIntExact((long) pendingRows * fires.length)),
                        pendingRows,
                        fires.length));
        xs.clear();
        xHats.clear();
        codes.clear();
        pendingRows = 0;
    }

    private static float[] concat(List<float[]> parts, int size) {
        float[] all = new float[size];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    ReconstructionQuality result() {
        flush();
        EvalMetrics m = evaluation.result();
        long tokens = evaluation.rows();
        int dead = 0;
        int dense = 0;
        for (long f : fires) {
            dead += f == 0 ? 1 : 0;
            dense += f > ReconstructionQuality.DENSE_FREQUENCY * tokens ? 1 : 0;
        }
        return new ReconstructionQuality(
                tokens,
                fires.length,
                m.mse(),
                m.fvu(),
                m.explainedVariance(),
                m.l0(),
                m.cosineSimilarity(),
                l2Rows == 0 ? Double.NaN : l2RatioSum / l2Rows,
                dead,
                dense,
                DensityHistogram.of(fires, tokens));
    }
}
