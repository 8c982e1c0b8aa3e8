package dev.saekit.train;

import dev.saekit.parallel.Collective;
import dev.saekit.tensor.Parameter;
import java.nio.ByteOrder;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums the trainable parameters' gradients over the workers of a data-parallel step, in one
 * collective call: the gradients are copied into one reused heap array (in the model's float type),
 * summed, and copied back. A gradient that owns its whole native buffer is copied through a direct
 * view of that memory; any other through ND4J.
 */
final class GradientSum {
    private float[] floats = new float[0];
    private double[] doubles = new double[0];

    void sum(List<Parameter> params, Collective workers) {
        long total = 0;
        boolean isDouble = false;
        for (Parameter p : params) {
            if (p.isTrainable()) {
                total += p.grad().length();
                isDouble = p.grad().dataType() == DataType.DOUBLE;
            }
        }
        int n = Math.toIntExact(total);
        if (isDouble) {
            if (doubles.length < n) {
                doubles = new double[n];
            }
        } else if (floats.length < n) {
            floats = new float[n];
        }
        int at = 0;
        for (Parameter p : params) {
            if (p.isTrainable()) {
                at += copy(p.grad(), at, isDouble, true);
            }
        }
        if (isDouble) {
            workers.sum(doubles, 0, n);
        } else {
            workers.sum(floats, 0, n);
        }
        at = 0;
        for (Parameter p : params) {
            if (p.isTrainable()) {
                at += copy(p.grad(), at, isDouble, false);
            }
        }
    }

    /** Copies {@code g} into ({@code out}) or back from the heap array at {@code at}; returns its length. */
    private int copy(INDArray g, int at, boolean isDouble, boolean out) {
        int n = Math.toIntExact(g.length());
        if ((g.dataType() == DataType.DOUBLE) != isDouble) {
            throw new IllegalStateException("a model's gradients must share one float type, found " + g.dataType());
        }
        boolean whole = !g.isView()
                && g.ordering() == 'c'
                && g.offset() == 0
                && g.data().length() == n;
        if (whole) {
            java.nio.ByteBuffer bytes = g.data().asNio().order(ByteOrder.nativeOrder());
            if (isDouble) {
                java.nio.DoubleBuffer b = bytes.asDoubleBuffer();
                if (out) {
                    b.get(doubles, at, n);
                } else {
                    b.put(doubles, at, n);
                }
            } else {
                java.nio.FloatBuffer b = bytes.asFloatBuffer();
                if (out) {
                    b.get(floats, at, n);
                } else {
                    b.put(floats, at, n);
                }
            }
            return n;
        }
        INDArray flat = g.dup('c').reshape(n);
        if (out) {
            if (isDouble) {
                System.arraycopy(flat.toDoubleVector(), 0, doubles, at, n);
            } else {
                System.arraycopy(flat.toFloatVector(), 0, floats, at, n);
            }
        } else {
            double[] back = new double[n];
            for (int i = 0; i < n; i++) {
                back[i] = isDouble ? doubles[at + i] : floats[at + i];
            }
            g.assign(dev.saekit.tensor.Tensors.fromFlat(dev.saekit.tensor.DType.of(g.dataType()), back, g.shape()));
        }
        return n;
    }
}
