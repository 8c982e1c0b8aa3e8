package dev.saekit.kernel;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The non-zero entries of a codes matrix {@code z [rows, concepts]}, by row (CSR) and by concept,
 * and the products a sparse autoencoder needs on them. With TopK codes only {@code k} of
 * {@code concepts} entries per row are non-zero, so each product costs {@code nnz * width}
 * multiply-adds instead of {@code rows * concepts * width}.
 *
 * <p>One instance is rebuilt by every {@link #of} call and reuses its arrays. Products are parallel
 * over rows or over concepts, each task writing its own rows of the output, so results do not
 * depend on the number of threads. Matrices are contiguous C-order float32 or float64.
 */
public final class SparseCodes {
    private static final ThreadLocal<double[]> ACC = ThreadLocal.withInitial(() -> new double[0]);
    private static final ThreadLocal<float[]> ROW32 = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<double[]> ROW64 = ThreadLocal.withInitial(() -> new double[0]);
    /** Rows or concepts per parallel task. */
    private static final int CHUNK = 64;

    private int rows;
    private int concepts;
    private int[] rowStart = new int[1];
    private int[] concept = new int[0];
    private double[] value = new double[0];
    private int[] conceptStart = new int[1];
    private int[] byConcept = new int[0];
    private int[] entryRow = new int[0];

    /** The non-zero entries of {@code codes}; {@code reuse} (or null) gives its arrays back. */
    public static SparseCodes of(INDArray codes, SparseCodes reuse) {
        SparseCodes s = reuse != null ? reuse : new SparseCodes();
        s.build(codes);
        return s;
    }

    private void build(INDArray codes) {
        Rows z = Rows.of(codes, "codes");
        rows = z.rows;
        concepts = z.cols;
        if (rowStart.length < rows + 1) {
            rowStart = new int[rows + 1];
        }
        int[] counts = new int[rows];
        parallel(rows, r -> {
            double[] row = acc(concepts);
            z.getRow(r, row);
            int n = 0;
            for (int j = 0; j < concepts; j++) {
                if (row[j] != 0) {
                    n++;
                }
            }
            counts[r] = n;
        });
        rowStart[0] = 0;
        for (int r = 0; r < rows; r++) {
            rowStart[r + 1] = rowStart[r] + counts[r];
        }
        int nnz = rowStart[rows];
        if (concept.length < nnz) {
            concept = new int[nnz];
            value = new double[nnz];
            byConcept = new int[nnz];
            entryRow = new int[nnz];
        }
        parallel(rows, r -> {
            double[] row = acc(concepts);
            z.getRow(r, row);
            int e = rowStart[r];
            for (int j = 0; j < concepts; j++) {
                double v = row[j];
                if (v != 0) {
                    concept[e] = j;
                    value[e] = v;
                    entryRow[e] = r;
                    e++;
                }
            }
        });
        // by concept: a counting sort of the entries, rows ascending within each concept
        if (conceptStart.length < concepts + 1) {
            conceptStart = new int[concepts + 1];
        }
        Arrays.fill(conceptStart, 0, concepts + 1, 0);
        for (int e = 0; e < nnz; e++) {
            conceptStart[concept[e] + 1]++;
        }
        for (int j = 0; j < concepts; j++) {
            conceptStart[j + 1] += conceptStart[j];
        }
        int[] next = Arrays.copyOf(conceptStart, concepts);
        for (int e = 0; e < nnz; e++) {
            byConcept[next[concept[e]]++] = e;
        }
    }

    public int rows() {
        return rows;
    }

    public int concepts() {
        return concepts;
    }

    /** Number of non-zero codes. */
    public int nonZeros() {
        return rowStart[rows];
    }

    /** The values of the non-zero codes, in row order (entry {@code e} is row-major). */
    public double[] values() {
        return value;
    }

    /** Non-zero codes of row {@code r}. */
    public int nonZerosOfRow(int r) {
        return rowStart[r + 1] - rowStart[r];
    }

    /** {@code out = z d}: {@code d [concepts, width]}, {@code out [rows, width]} (overwritten). */
    public INDArray decode(INDArray d, INDArray out) {
        Matrix dict = Matrix.of(d, "dictionary", concepts, -1);
        Matrix o = Matrix.of(out, "decode output", rows, dict.cols);
        int width = dict.cols;
        parallel(rows, r -> {
            double[] acc = acc(width);
            Arrays.fill(acc, 0, width, 0.0);
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                dict.axpyRow(concept[e], value[e], acc);
            }
            o.putRow(r, acc);
        });
        return out;
    }

    /**
     * {@code result[e] = g[row(e)] . d[concept(e)]} for every non-zero entry {@code e}: the gradient
     * {@code g d^T} of the codes, at the non-zero codes only. {@code g [rows, width]},
     * {@code d [concepts, width]}; {@code reuse} (or null) gives the array back.
     */
    public double[] dotsAt(INDArray g, INDArray d, double[] reuse) {
        Matrix dict = Matrix.of(d, "dictionary", concepts, -1);
        Matrix grad = Matrix.of(g, "gradient", rows, dict.cols);
        int nnz = nonZeros();
        double[] result = reuse != null && reuse.length >= nnz ? reuse : new double[nnz];
        int width = dict.cols;
        parallel(rows, r -> {
            double[] gr = acc(width);
            grad.getRow(r, gr);
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                result[e] = dict.dotRow(concept[e], gr);
            }
        });
        return result;
    }

    /**
     * {@code out[j] += sum over the non-zero entries e of concept j of values[e] * x[row(e)]}: the
     * product {@code V^T x} for a matrix {@code V} with this sparsity and the given values.
     * {@code x [rows, width]}, {@code out [concepts, width]}; parallel over concepts.
     */
    public INDArray addTransposedProduct(double[] values, INDArray x, INDArray out) {
        Matrix in = Matrix.of(x, "rows", rows, -1);
        Matrix o = Matrix.of(out, "transposed-product output", concepts, in.cols);
        int width = in.cols;
        parallel(concepts, j -> {
            if (conceptStart[j] == conceptStart[j + 1]) {
                return;
            }
            double[] acc = acc(width);
            o.getRow(j, acc);
            for (int p = conceptStart[j]; p < conceptStart[j + 1]; p++) {
                int e = byConcept[p];
                in.axpyRow(entryRow[e], values[e], acc);
            }
            o.putRow(j, acc);
        });
        return out;
    }

    /** {@code values[e] += dense[row(e), concept(e)]} for every non-zero entry; {@code dense [rows, concepts]}. */
    public double[] addAt(INDArray dense, double[] values) {
        Rows m = Rows.of(dense, "codes gradient");
        if (m.rows != rows || m.cols != concepts) {
            throw new IllegalArgumentException("codes gradient must have shape [" + rows + ", " + concepts + "], was "
                    + Arrays.toString(dense.shape()));
        }
        parallel(rows, r -> {
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                values[e] += m.get((long) r * concepts + concept[e]);
            }
        });
        return values;
    }

    /** {@code dense[row(e), concept(e)] = values[e]} for every non-zero entry; other entries are left as they are. */
    public INDArray scatter(double[] values, INDArray dense) {
        Rows m = Rows.of(dense, "scatter output");
        if (m.rows != rows || m.cols != concepts) {
            throw new IllegalArgumentException("scatter output must have shape [" + rows + ", " + concepts + "], was "
                    + Arrays.toString(dense.shape()));
        }
        parallel(rows, r -> {
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                m.set((long) r * concepts + concept[e], values[e]);
            }
        });
        return dense;
    }

    /** {@code out[j] += sum of values[e] over the non-zero entries e of concept j}; {@code out} a vector of {@code concepts}. */
    public INDArray addConceptSums(double[] values, INDArray out) {
        if (out.length() != concepts) {
            throw new IllegalArgumentException("concept sums need a vector of " + concepts + ", was " + Arrays.toString(out.shape()));
        }
        for (int j = 0; j < concepts; j++) {
            double sum = 0;
            for (int p = conceptStart[j]; p < conceptStart[j + 1]; p++) {
                sum += values[byConcept[p]];
            }
            if (sum != 0) {
                out.putScalar(j, out.getDouble(j) + sum);
            }
        }
        return out;
    }

    private static double[] acc(int width) {
        double[] a = ACC.get();
        if (a.length < width) {
            a = new double[width];
            ACC.set(a);
        }
        return a;
    }

    private static void parallel(int n, java.util.function.IntConsumer body) {
        int tasks = (n + CHUNK - 1) / CHUNK;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int to = Math.min(n, (t + 1) * CHUNK);
            for (int i = t * CHUNK; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** Whole-row reads and writes of a float32 or float64 matrix, row by row through a bulk copy. */
    private abstract static class Matrix {
        final int rows;
        final int cols;

        Matrix(int rows, int cols) {
            this.rows = rows;
            this.cols = cols;
        }

        static Matrix of(INDArray a, String what, int rows, int cols) {
            if (a.rank() != 2 || a.ordering() != 'c' || a.isView() || a.offset() != 0 || a.elementWiseStride() != 1) {
                throw new IllegalArgumentException(what + " must be a contiguous C-order matrix, was shape " + Arrays.toString(a.shape()));
            }
            if (a.rows() != rows || (cols >= 0 && a.columns() != cols)) {
                throw new IllegalArgumentException(what + " must have shape [" + rows + ", " + (cols >= 0 ? cols : "width")
                        + "], was " + Arrays.toString(a.shape()));
            }
            int c = Math.toIntExact(a.columns());
            if (a.dataType() == DataType.FLOAT) {
                return new F32(a.data().asNioFloat(), rows, c);
            }
            if (a.dataType() == DataType.DOUBLE) {
                return new F64(a.data().asNioDouble(), rows, c);
            }
            throw new IllegalArgumentException(what + " must be float32 or float64, was " + a.dataType());
        }

        /** {@code acc += alpha * row(r)}. */
        abstract void axpyRow(int r, double alpha, double[] acc);

        /** {@code row(r) . v}. */
        abstract double dotRow(int r, double[] v);

        abstract void getRow(int r, double[] dst);

        abstract void putRow(int r, double[] src);
    }

    private static final class F32 extends Matrix {
        private final FloatBuffer b;

        F32(FloatBuffer b, int rows, int cols) {
            super(rows, cols);
            this.b = b;
        }

        private float[] row(int r) {
            float[] t = ROW32.get();
            if (t.length < cols) {
                t = new float[cols];
                ROW32.set(t);
            }
            b.get(r * cols, t, 0, cols);
            return t;
        }

        @Override
        void axpyRow(int r, double alpha, double[] acc) {
            float[] t = row(r);
            for (int i = 0; i < cols; i++) {
                acc[i] += alpha * t[i];
            }
        }

        @Override
        double dotRow(int r, double[] v) {
            float[] t = row(r);
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += t[i] * v[i];
            }
            return s;
        }

        @Override
        void getRow(int r, double[] dst) {
            float[] t = row(r);
            for (int i = 0; i < cols; i++) {
                dst[i] = t[i];
            }
        }

        @Override
        void putRow(int r, double[] src) {
            float[] t = ROW32.get();
            if (t.length < cols) {
                t = new float[cols];
                ROW32.set(t);
            }
            for (int i = 0; i < cols; i++) {
                t[i] = (float) src[i];
            }
            b.put(r * cols, t, 0, cols);
        }
    }

    private static final class F64 extends Matrix {
        private final DoubleBuffer b;

        F64(DoubleBuffer b, int rows, int cols) {
            super(rows, cols);
            this.b = b;
        }

        private double[] row(int r) {
            double[] t = ROW64.get();
            if (t.length < cols) {
                t = new double[cols];
                ROW64.set(t);
            }
            b.get(r * cols, t, 0, cols);
            return t;
        }

        @Override
        void axpyRow(int r, double alpha, double[] acc) {
            double[] t = row(r);
            for (int i = 0; i < cols; i++) {
                acc[i] += alpha * t[i];
            }
        }

        @Override
        double dotRow(int r, double[] v) {
            double[] t = row(r);
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += t[i] * v[i];
            }
            return s;
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
