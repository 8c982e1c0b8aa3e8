package dev.saekit.io;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Arrays read into one in-memory matrix, block by block: the sizes are checked before the matrix
 * is allocated, each block of raw values is checked (optionally) and then converted straight into
 * the matrix's native memory, so the Java heap holds one block whatever the data's size and
 * nothing is held twice. Fortran-order {@code .npy} data is placed element by element at its
 * C-order position.
 */
final class MatrixLoader {
    /** The most values one in-memory matrix may have: the size limit of one Java array and one NIO buffer. */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private MatrixLoader() {}

    /**
     * The rows of {@code arrays} (of one width, {@code cols}, and {@code rows} rows in all) stacked in
     * order into a new {@code [rows, cols]} matrix of {@code target}; with {@code check}, each value
     * is first checked against {@code target} ({@link ValueCheck}). {@code what} names the data in
     * the error for a matrix too large.
     */
    static INDArray load(List<StoredArray> arrays, long rows, long cols, DType target, boolean check, String what)
            throws IOException {
        requireFits(what, rows, cols, target);
        INDArray matrix = Tensors.zeros(target, rows, cols);
        if (rows * cols == 0) {
            for (StoredArray a : arrays) { // the ends of empty arrays are checked too
                try (ValueReader r = new ValueReader(a)) {
                    r.read(new double[1]);
                }
            }
            return matrix;
        }
        FloatBuffer floats = target == DType.FLOAT32 ? matrix.data().asNioFloat() : null;
        DoubleBuffer doubles = target == DType.FLOAT64 ? matrix.data().asNioDouble() : null;
        long base = 0;
        for (StoredArray a : arrays) {
            long n = a.elements();
            double[] values = new double[(int) Math.min(ValueReader.BLOCK, Math.max(1, n))];
            float[] converted = floats != null && !a.fortranOrder() ? new float[values.length] : null;
            Fortran fortran = a.fortranOrder() ? new Fortran(a.info().shape()) : null;
            try (ValueReader r = new ValueReader(a)) {
                for (int k; (k = r.read(values)) > 0; ) {
                    long first = r.position() - k;
                    if (check) {
                        ValueCheck.check(a, target, first, values, k);
                    }
                    if (fortran != null) {
                        for (int i = 0; i < k; i++) {
                            int at = (int) (base + fortran.next());
                            if (floats != null) {
                                floats.put(at, (float) values[i]);
                            } else {
                                doubles.put(at, values[i]);
                            }
                        }
                    } else if (floats != null) {
                        for (int i = 0; i < k; i++) {
                            converted[i] = (float) values[i];
                        }
                        floats.put((int) (base + first), converted, 0, k);
                    } else {
                        doubles.put((int) (base + first), values, 0, k);
                    }
                }
            }
            base += n;
        }
        return matrix;
    }

    /** Refuses a matrix with more values than one in-memory array holds, before anything is allocated. */
    static void requireFits(String what, long rows, long cols, DType target) {
        long values;
        try {
            values = Math.multiplyExact(rows, cols);
        } catch (ArithmeticException e) {
            values = Long.MAX_VALUE;
        }
        if (values > MAX_VALUES) {
            throw new DataTooLargeException(
                    what + ": " + DataTooLargeException.size(rows, cols, target) + " (" + values
                            + " values) is more than one in-memory array holds (" + MAX_VALUES
                            + " values); stream it from disk"
                            + " instead, as shards (a directory or a glob), through a shuffle buffer of bounded size",
                    rows,
                    cols,
                    DataTooLargeException.bytes(rows, cols, target));
        }
    }

    /** The C-order index of each element of a Fortran-order array, in storage order (first axis fastest). */
    private static final class Fortran {
        private final long[] shape;
        private final long[] strides;
        private final long[] index;
        private long position;

        Fortran(long[] shape) {
            this.shape = shape;
            this.strides = new long[shape.length];
            this.index = new long[shape.length];
            long stride = 1;
            for (int k = shape.length - 1; k >= 0; k--) {
                strides[k] = stride;
                stride *= shape[k];
            }
        }

        long next() {
            long at = position;
            for (int k = 0; k < shape.length; k++) {
                index[k]++;
                position += strides[k];
                if (index[k] < shape[k]) {
                    break;
                }
                position -= index[k] * strides[k];
                index[k] = 0;
            }
            return at;
        }
    }
}
