package dev.saekit.onnx.splice;

import dev.saekit.metrics.EvalMetrics;
import dev.saekit.metrics.Evaluation;
import dev.saekit.metrics.Metrics;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Running reconstruction metrics, batch by batch; see {@link ReconstructionQuality}. */
final class QualityTally {
    private final Evaluation evaluation = new Evaluation();
    private final long[] fires;
    private double l2RatioSum;
    private long l2Rows;

    QualityTally(int latents) {
        this.fires = new long[latents];
    }

    /** Adds rows {@code x} ({@code [n, width]}), their reconstructions and codes; {@code xs}, {@code xHats} are the same values flat. */
    void add(INDArray x, float[] xs, INDArray xHat, float[] xHats, INDArray codes) {
        if (codes.columns() != fires.length) {
            throw new IllegalArgumentException(
                    "the SAE said it has " + fires.length + " latents but its codes have " + codes.columns());
        }
        evaluation.add(x, xHat, codes);
        double[] fired = Transforms.abs(codes, true)
                .gte(Metrics.L0_THRESHOLD)
                .castTo(DataType.DOUBLE)
                .sum(0)
                .toDoubleVector();
        for (int j = 0; j < fires.length; j++) {
            fires[j] += (long) fired[j];
        }
        int width = (int) x.columns();
        for (int base = 0; base < xs.length; base += width) {
            double xx = 0;
            double rr = 0;
            for (int j = base; j < base + width; j++) {
                xx += (double) xs[j] * xs[j];
                rr += (double) xHats[j] * xHats[j];
            }
            if (xx > 0) {
                l2RatioSum += Math.sqrt(rr / xx);
                l2Rows++;
            }
        }
    }

    ReconstructionQuality result() {
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
