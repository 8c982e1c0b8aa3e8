package dev.saekit.kernel;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One Adam update of a parameter in a single pass over its native memory, parallel over chunks:
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
 * {@code w -= lr / bc1 * m / (sqrt(v) / bc2Sqrt + eps)}, with the gradient first multiplied by
 * {@code gradScale} (the clipping coefficient, so clipping costs no pass of its own) and coupled
 * weight decay ({@code g += wd w}) or decoupled ({@code w *= 1 - lr wd}). The arithmetic is done
 * in the arrays' type, as torch does, on chunks copied into Java arrays so that the loop
 * vectorises. Element-wise, so results do not depend on the number of threads.
 */
public final class AdamKernel {
    private static final int CHUNK = 1 << 14;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[4][CHUNK]);
    private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[4][CHUNK]);

    private AdamKernel() {}

    /** Whether {@link #step} can update these arrays (same-type contiguous float32 or float64, no views). */
    public static boolean supports(INDArray... arrays) {
        DataType type = arrays[0].dataType();
        for (INDArray a : arrays) {
            if (a.dataType() != type
                    || (type != DataType.FLOAT && type != DataType.DOUBLE)
                    || a.isView()
                    || a.offset() != 0
                    || a.length() != arrays[0].length()
                    || a.ordering() != 'c'
                    || (a.length() > 1 && a.elementWiseStride() != 1)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #step(INDArray, INDArray, INDArray, INDArray, double, double, double, double, double, double, double, boolean, double)} with the gradient as it is. */
    public static void step(
            INDArray w,
            INDArray g,
            INDArray m,
            INDArray v,
            double lr,
            double b1,
            double b2,
            double eps,
            double bc1,
            double bc2Sqrt,
            double weightDecay,
            boolean decoupled) {
        step(w, g, m, v, lr, b1, b2, eps, bc1, bc2Sqrt, weightDecay, decoupled, 1.0);
    }

    /**
     * @param decoupled true for AdamW's decay of the weights, false for Adam's decay added to the gradient
     * @param gradScale factor applied to the gradient as it is read ({@code g} itself is not changed)
     */
    public static void step(
            INDArray w,
            INDArray g,
            INDArray m,
            INDArray v,
            double lr,
            double b1,
            double b2,
            double eps,
            double bc1,
            double bc2Sqrt,
            double weightDecay,
            boolean decoupled,
            double gradScale) {
        if (!supports(w, g, m, v)) {
            throw new IllegalArgumentException(
                    "the fused Adam step needs contiguous arrays of one float type and length");
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
            float fShrink = (float) shrink;
            float fScale = (float) gradScale;
            float fCoupled = (float) coupled;
            float fB1 = (float) b1;
            float fB1c = (float) (1 - b1);
            float fB2 = (float) b2;
            float fB2c = (float) (1 - b2);
            float fStep = (float) stepSize;
            float fBc2 = (float) bc2Sqrt;
            float fEps = (float) eps;
            IntStream.range(0, tasks).parallel().forEach(t -> {
                int from = t * CHUNK;
                int len = Math.min(n, from + CHUNK) - from;
                float[][] a = FLOATS.get();
                float[] cw = a[0];
                float[] cg = a[1];
                float[] cm = a[2];
                float[] cv = a[3];
                pw.get(from, cw, 0, len);
                pg.get(from, cg, 0, len);
                pm.get(from, cm, 0, len);
                pv.get(from, cv, 0, len);
                for (int i = 0; i < len; i++) {
                    float wi = cw[i] * fShrink;
                    float gi = cg[i] * fScale + fCoupled * wi;
                    float mi = fB1 * cm[i] + fB1c * gi;
                    float vi = fB2 * cv[i] + fB2c * gi * gi;
                    cm[i] = mi;
                    cv[i] = vi;
                    cw[i] = wi - fStep * mi / ((float) Math.sqrt(vi) / fBc2 + fEps);
                }
                pw.put(from, cw, 0, len);
                pm.put(from, cm, 0, len);
                pv.put(from, cv, 0, len);
            });
        } else {
            DoubleBuffer pw = w.data().asNioDouble();
            DoubleBuffer pg = g.data().asNioDouble();
            DoubleBuffer pm = m.data().asNioDouble();
            DoubleBuffer pv = v.data().asNioDouble();
            IntStream.range(0, tasks).parallel().forEach(t -> {
                int from = t * CHUNK;
                int len = Math.min(n, from + CHUNK) - from;
                double[][] a = DOUBLES.get();
                double[] cw = a[0];
                double[] cg = a[1];
                double[] cm = a[2];
                double[] cv = a[3];
                pw.get(from, cw, 0, len);
                pg.get(from, cg, 0, len);
                pm.get(from, cm, 0, len);
                pv.get(from, cv, 0, len);
                for (int i = 0; i < len; i++) {
                    double wi = cw[i] * shrink;
                    double gi = cg[i] * gradScale + coupled * wi;
                    double mi = b1 * cm[i] + (1 - b1) * gi;
                    double vi = b2 * cv[i] + (1 - b2) * gi * gi;
                    cm[i] = mi;
                    cv[i] = vi;
                    cw[i] = wi - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps);
                }
                pw.put(from, cw, 0, len);
                pm.put(from, cm, 0, len);
                pv.put(from, cv, 0, len);
            });
        }
    }
}
