package dev.saekit.kernel;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One Adam update of a parameter in a single pass over its native memory, parallel over chunks:
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
 * {@code w -= lr / bc1 * m / (sqrt(v) / bc2Sqrt + eps)}, with coupled weight decay
 * ({@code g += wd w}) or decoupled ({@code w *= 1 - lr wd}) first. Each element's arithmetic is
 * done in double and stored in the arrays' type. Element-wise, so results do not depend on the
 * number of threads.
 */
public final class AdamKernel {
    private static final int CHUNK = 1 << 16;

    private AdamKernel() {
    }

    /** Whether {@link #step} can update these arrays (same-type contiguous float32 or float64, no views). */
    public static boolean supports(INDArray... arrays) {
        DataType type = arrays[0].dataType();
        for (INDArray a : arrays) {
            if (a.dataType() != type || (type != DataType.FLOAT && type != DataType.DOUBLE) || a.isView() || a.offset() != 0
                    || a.length() != arrays[0].length() || a.ordering() != 'c' || (a.length() > 1 && a.elementWiseStride() != 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param decoupled true for AdamW's decay of the weights, false for Adam's decay added to the gradient
     */
    public static void step(INDArray w, INDArray g, INDArray m, INDArray v, double lr, double b1, double b2, double eps,
                            double bc1, double bc2Sqrt, double weightDecay, boolean decoupled) {
        if (!supports(w, g, m, v)) {
            throw new IllegalArgumentException("the fused Adam step needs contiguous arrays of one float type and length");
        }
        int n = Math.toIntExact(w.length());
        double stepSize = lr / bc1;
        double shrink = decoupled ? 1 - lr * weightDecay : 1;
        double coupled = decoupled ? 0 : weightDecay;
        int tasks = (n + CHUNK - 1) / CHUNK;
        if (w.dataType() == DataType.FLOAT) {
            FloatBuffer pw = w.data().asNioFloat();
            FloatBuffer pg = g.data().asNioFloat();
            FloatBuffer pm = m.data().asNioFloat();
            FloatBuffer pv = v.data().asNioFloat();
            IntStream.range(0, tasks).parallel().forEach(t -> {
                int to = Math.min(n, (t + 1) * CHUNK);
                for (int i = t * CHUNK; i < to; i++) {
                    double wi = pw.get(i) * shrink;
                    double gi = pg.get(i) + coupled * wi;
                    double mi = b1 * pm.get(i) + (1 - b1) * gi;
                    double vi = b2 * pv.get(i) + (1 - b2) * gi * gi;
                    pm.put(i, (float) mi);
                    pv.put(i, (float) vi);
                    pw.put(i, (float) (wi - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps)));
                }
            });
        } else {
            DoubleBuffer pw = w.data().asNioDouble();
            DoubleBuffer pg = g.data().asNioDouble();
            DoubleBuffer pm = m.data().asNioDouble();
            DoubleBuffer pv = v.data().asNioDouble();
            IntStream.range(0, tasks).parallel().forEach(t -> {
                int to = Math.min(n, (t + 1) * CHUNK);
                for (int i = t * CHUNK; i < to; i++) {
                    double wi = pw.get(i) * shrink;
                    double gi = pg.get(i) + coupled * wi;
                    double mi = b1 * pm.get(i) + (1 - b1) * gi;
                    double vi = b2 * pv.get(i) + (1 - b2) * gi * gi;
                    pm.put(i, mi);
                    pv.put(i, vi);
                    pw.put(i, wi - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps));
                }
            });
        }
    }
}
