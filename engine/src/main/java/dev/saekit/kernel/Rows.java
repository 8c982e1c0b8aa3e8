package dev.saekit.kernel;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element access to the native memory of a contiguous C-order float32 or float64 matrix, without
 * copying it. Two implementations only, so call sites stay bimorphic and inline.
 */
abstract class Rows {
    final int rows;
    final int cols;

    Rows(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
    }

    abstract double get(long i);

    abstract void set(long i, double v);

    /** Row {@code r} into {@code dst[0..cols)}, with one bulk copy. */
    abstract void getRow(int r, double[] dst);

    /** {@code src[0..cols)} into row {@code r}, with one bulk copy. */
    abstract void putRow(int r, double[] src);

    /**
     * Whether the kernels can read {@code a} in place: contiguous C-order float32 or float64 memory
     * (no view, no offset).
     */
    static boolean readable(INDArray a) {
        return a.ordering() == 'c'
                && !a.isView()
                && a.offset() == 0
                && (a.length() <= 1 || a.elementWiseStride() == 1)
                && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
    }

    /** {@code a} itself when {@link #readable}, else a contiguous float64 copy of it. */
    static INDArray readableCopy(INDArray a) {
        return readable(a) ? a : a.castTo(DataType.DOUBLE).dup('c');
    }

    static Rows of(INDArray a, String what) {
        if (a.rank() != 2) {
            throw new IllegalArgumentException(what + " must be a matrix, was rank " + a.rank());
        }
        if (a.ordering() != 'c' || a.isView() || a.offset() != 0 || a.elementWiseStride() != 1) {
            throw new IllegalArgumentException(what + " must be a contiguous C-order array (use dup('c'))");
        }
        int rows = Math.toIntExact(a.rows());
        int cols = Math.toIntExact(a.columns());
        if (a.dataType() == DataType.FLOAT) {
            return new F32(a.data().asNioFloat(), rows, cols);
        }
        if (a.dataType() == DataType.DOUBLE) {
            return new F64(a.data().asNioDouble(), rows, cols);
        }
        throw new IllegalArgumentException(what + " must be float32 or float64, was " + a.dataType());
    }

    static final class F32 extends Rows {
        private static final Scratch.Floats ROW = new Scratch.Floats();
        private final FloatBuffer b;

        F32(FloatBuffer b, int rows, int cols) {
            super(rows, cols);
            this.b = b;
        }

        @Override
        double get(long i) {
            return b.get((int) i);
        }

        @Override
        void set(long i, double v) {
            b.put((int) i, (float) v);
        }

        /** Row {@code r} into {@code dst[0..cols)} as it is stored, with one bulk copy. */
        void getFloatRow(int r, float[] dst) {
            b.get(r * cols, dst, 0, cols);
        }

        /** {@code src[0..cols)} into row {@code r}, with one bulk copy. */
        void putFloatRow(int r, float[] src) {
            b.put(r * cols, src, 0, cols);
        }

        @Override
        void getRow(int r, double[] dst) {
            float[] t = ROW.get(cols);
            b.get(r * cols, t, 0, cols);
            for (int j = 0; j < cols; j++) {
                dst[j] = t[j];
            }
        }

        @Override
        void putRow(int r, double[] src) {
            float[] t = ROW.get(cols);
            for (int j = 0; j < cols; j++) {
                t[j] = (float) src[j];
            }
            b.put(r * cols, t, 0, cols);
        }
    }

    static final class F64 extends Rows {
        private final DoubleBuffer b;

        F64(DoubleBuffer b, int rows, int cols) {
            super(rows, cols);
            this.b = b;
        }

        @Override
        double get(long i) {
            return b.get((int) i);
        }

        @Override
        void set(long i, double v) {
            b.put((int) i, v);
        }

        @Override
        void getRow(int r, double[] dst) {
            b.get(r * cols, dst, 0, cols);
        }

        @Override
        void putRow(int r, double[] src) {
            b.put(r * cols, src, 0, cols);
        }
    }
}
