package dev.saekit.kernel;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The non-zero entries of a codes matrix {@code z [rows, concepts]}, by row (CSR) and by concept,
 * and the products a sparse autoencoder needs on them. With TopK codes only {@code k} of
 * {@code concepts} entries per row are non-zero, so each product costs {@code nnz * width}
 * multiply-adds instead of {@code rows * concepts * width}.
 *
 * <p>One instance is rebuilt by every {@link #of} call and reuses its arrays. Products are parallel
 * over rows or over concepts, each task writing its own rows of the output, so results do not
 * depend on the number of threads. Matrices are contiguous C-order float32 or float64. float32
 * products run on the stored floats (sums of rows accumulate in float, as a float32 BLAS would;
 * dot products sum in double), float64 ones in double. Codes that are dense among the concepts they
 * use (AuxK's) run their products as BLAS products over those concepts instead ({@link UsedConcepts}),
 * summed as the BLAS sums them.
 */
public final class SparseCodes {
    private static final Scratch.Doubles ACC = new Scratch.Doubles();
    private static final Scratch.Doubles ROW = new Scratch.Doubles();
    private static final Scratch.Floats FLOAT_ACC = new Scratch.Floats();
    private static final Scratch.Floats FLOAT_ROW = new Scratch.Floats();
    /** Rows or concepts per parallel task. */
    static final int CHUNK = 64;

    private int rows;
    private int concepts;
    private int[] rowStart = new int[1];
    private int[] concept = new int[0];
    private double[] value = new double[0];
    private int[] conceptStart = new int[1];
    private int[] conceptNext = new int[0];
    private int[] byConcept = new int[0];
    private int[] entryRow = new int[0];
    private int[] rowCount = new int[0];
    private Entries[] chunkEntries = new Entries[0];
    private final UsedConcepts usedConcepts = new UsedConcepts();

    /** The non-zero entries of {@code codes}; {@code reuse} (or null) gives its arrays back. */
    public static SparseCodes of(INDArray codes, SparseCodes reuse) {
        SparseCodes s = reuse != null ? reuse : new SparseCodes();
        Rows z = Rows.of(codes, "codes");
        s.fill(z.rows, z.cols, (r, sink) -> {
            double[] row = ACC.get(z.cols);
            z.getRow(r, row);
            for (int j = 0; j < z.cols; j++) {
                if (row[j] != 0) {
                    sink.add(j, row[j]);
                }
            }
        });
        return s;
    }

    /**
     * The entries of {@code values [rows, concepts]} with {@code from[j] <= v < to[j]} in column
     * {@code j}, values kept (a JumpReLU's pre-codes just below their thresholds, for instance);
     * {@code reuse} (or null) gives its arrays back.
     */
    public static SparseCodes within(INDArray values, double[] from, double[] to, SparseCodes reuse) {
        SparseCodes s = reuse != null ? reuse : new SparseCodes();
        Rows v = Rows.of(values, "values");
        if (from.length != v.cols || to.length != v.cols) {
            throw new IllegalArgumentException(
                    "bounds need " + v.cols + " concepts, were " + from.length + " and " + to.length);
        }
        s.fill(v.rows, v.cols, (r, sink) -> {
            double[] row = ACC.get(v.cols);
            v.getRow(r, row);
            for (int j = 0; j < v.cols; j++) {
                if (row[j] >= from[j] && row[j] < to[j]) {
                    sink.add(j, row[j]);
                }
            }
        });
        return s;
    }

    /** How many entries of {@code codes} are non-zero: one parallel pass, no entry stored. */
    public static long countNonZeros(INDArray codes) {
        Rows z = Rows.of(codes, "codes");
        int tasks = (z.rows + CHUNK - 1) / CHUNK;
        return IntStream.range(0, tasks)
                .parallel()
                .mapToLong(t -> {
                    double[] row = ACC.get(z.cols);
                    long count = 0;
                    for (int r = t * CHUNK; r < Math.min(z.rows, (t + 1) * CHUNK); r++) {
                        z.getRow(r, row);
                        for (int j = 0; j < z.cols; j++) {
                            count += row[j] != 0 ? 1 : 0;
                        }
                    }
                    return count;
                })
                .sum();
    }

    /** Selects the entries of one row. */
    @FunctionalInterface
    interface RowSelection {
        /** Adds row {@code r}'s non-zero entries to {@code sink}, concepts ascending. */
        void select(int r, Entries sink);
    }

    /** A growable list of (concept, value) entries that one parallel task fills. */
    static final class Entries {
        private int size;
        private int[] concept = new int[256];
        private double[] value = new double[256];

        void add(int j, double v) {
            if (size == concept.length) {
                concept = Arrays.copyOf(concept, size * 2);
                value = Arrays.copyOf(value, size * 2);
            }
            concept[size] = j;
            value[size] = v;
            size++;
        }

        int size() {
            return size;
        }
    }

    /**
     * Rebuilds this from a selection run in parallel over chunks of rows: each chunk fills its own
     * {@link Entries} (kept between calls), then the chunks are laid out in row order.
     */
    void fill(int rows, int concepts, RowSelection selection) {
        this.rows = rows;
        this.concepts = concepts;
        if (rowStart.length < rows + 1) {
            rowStart = new int[rows + 1];
            rowCount = new int[rows];
        }
        int chunks = (rows + CHUNK - 1) / CHUNK;
        if (chunkEntries.length < chunks) {
            Entries[] grown = Arrays.copyOf(chunkEntries, chunks);
            for (int t = chunkEntries.length; t < chunks; t++) {
                grown[t] = new Entries();
            }
            chunkEntries = grown;
        }
        IntStream.range(0, chunks).parallel().forEach(t -> {
            Entries sink = chunkEntries[t];
            sink.size = 0;
            int to = Math.min(rows, (t + 1) * CHUNK);
            for (int r = t * CHUNK; r < to; r++) {
                int before = sink.size;
                selection.select(r, sink);
                rowCount[r] = sink.size - before;
            }
        });
        rowStart[0] = 0;
        for (int r = 0; r < rows; r++) {
            rowStart[r + 1] = rowStart[r] + rowCount[r];
        }
        int nnz = rowStart[rows];
        if (concept.length < nnz) {
            int capacity = Math.max(nnz, concept.length + concept.length / 2);
            concept = new int[capacity];
            value = new double[capacity];
            byConcept = new int[capacity];
            entryRow = new int[capacity];
        }
        IntStream.range(0, chunks).parallel().forEach(t -> {
            Entries sink = chunkEntries[t];
            int from = t * CHUNK;
            int at = rowStart[from];
            System.arraycopy(sink.concept, 0, concept, at, sink.size);
            System.arraycopy(sink.value, 0, value, at, sink.size);
            int to = Math.min(rows, from + CHUNK);
            for (int r = from; r < to; r++) {
                Arrays.fill(entryRow, rowStart[r], rowStart[r + 1], r);
            }
        });
        indexByConcept();
    }

    /** Drops the entries below {@code threshold}, keeping the order of the others. */
    public void retainAtLeast(double threshold) {
        int kept = 0;
        for (int r = 0; r < rows; r++) {
            int from = rowStart[r];
            int to = rowStart[r + 1];
            rowStart[r] = kept;
            for (int e = from; e < to; e++) {
                if (value[e] >= threshold) {
                    concept[kept] = concept[e];
                    value[kept] = value[e];
                    entryRow[kept] = r;
                    kept++;
                }
            }
        }
        rowStart[rows] = kept;
        indexByConcept();
    }

    /** The by-concept order of the entries: a counting sort, rows ascending within each concept. */
    private void indexByConcept() {
        int nnz = rowStart[rows];
        if (conceptStart.length < concepts + 1) {
            conceptStart = new int[concepts + 1];
            conceptNext = new int[concepts];
        }
        Arrays.fill(conceptStart, 0, concepts + 1, 0);
        for (int e = 0; e < nnz; e++) {
            conceptStart[concept[e] + 1]++;
        }
        for (int j = 0; j < concepts; j++) {
            conceptStart[j + 1] += conceptStart[j];
        }
        System.arraycopy(conceptStart, 0, conceptNext, 0, concepts);
        for (int e = 0; e < nnz; e++) {
            byConcept[conceptNext[concept[e]]++] = e;
        }
        usedConcepts.index(concepts, conceptStart);
    }

    /**
     * Writes these codes densely into {@code out [rows, concepts]}: the non-zero entries, zero
     * everywhere else. Returns {@code out}.
     */
    public INDArray toDense(INDArray out) {
        Rows o = rowsOf(out, "dense codes", rows, concepts);
        if (o instanceof Rows.F32 f) {
            parallel(rows, r -> {
                float[] row = FLOAT_ACC.get(concepts);
                Arrays.fill(row, 0, concepts, 0f);
                for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                    row[concept[e]] = (float) value[e];
                }
                f.putFloatRow(r, row);
            });
            return out;
        }
        parallel(rows, r -> {
            double[] row = ACC.get(concepts);
            Arrays.fill(row, 0, concepts, 0.0);
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                row[concept[e]] = value[e];
            }
            o.putRow(r, row);
        });
        return out;
    }

    /**
     * Writes these codes densely into {@code out [rows, concepts]} when {@code out} holds exactly the
     * codes of {@code previous} (as {@link #toDense} or this method left it) and zeros elsewhere:
     * {@code previous}'s entries are cleared and these written, work in the non-zeros where
     * {@link #toDense} passes over all of {@code out}. Returns {@code out}.
     */
    public INDArray toDenseOver(INDArray out, SparseCodes previous) {
        if (previous == this || previous.rows != rows || previous.concepts != concepts) {
            return toDense(out);
        }
        Rows o = rowsOf(out, "dense codes", rows, concepts);
        parallel(rows, r -> {
            long base = (long) r * concepts;
            for (int e = previous.rowStart[r]; e < previous.rowStart[r + 1]; e++) {
                o.set(base + previous.concept[e], 0.0);
            }
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                o.set(base + concept[e], value[e]);
            }
        });
        return out;
    }

    /** How many codes have {@code |value| >= threshold} (the dense codes' zeros never do for a positive threshold). */
    public long countAbsAtLeast(double threshold) {
        int nnz = nonZeros();
        long n = 0;
        for (int e = 0; e < nnz; e++) {
            if (Math.abs(value[e]) >= threshold) {
                n++;
            }
        }
        return n;
    }

    /** Sets {@code active[j]} for every concept {@code j} with a non-zero code. */
    public void markConcepts(boolean[] active) {
        for (int j = 0; j < concepts; j++) {
            if (conceptStart[j + 1] > conceptStart[j]) {
                active[j] = true;
            }
        }
    }

    /** The concept of entry {@code e}. */
    public int concept(int e) {
        return concept[e];
    }

    /** The first entry of row {@code r} (entries of row r are {@code rowStart(r) .. rowStart(r + 1)}). */
    public int rowStart(int r) {
        return rowStart[r];
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
        Rows dict = rowsOf(d, "dictionary", concepts, -1);
        Rows o = rowsOf(out, "decode output", rows, dict.cols);
        if (usedConcepts.worthIt(rows, nonZeros(), d, out)) {
            return usedConcepts.decode(this, d, out);
        }
        int width = dict.cols;
        if (dict instanceof Rows.F32 df && o instanceof Rows.F32 of) { // float32 as stored: vectorised axpy
            parallel(rows, r -> {
                float[] acc = FLOAT_ACC.get(width);
                float[] atom = FLOAT_ROW.get(width);
                Arrays.fill(acc, 0, width, 0f);
                for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                    df.getFloatRow(concept[e], atom);
                    axpy((float) value[e], atom, acc, width);
                }
                of.putFloatRow(r, acc);
            });
            return out;
        }
        parallel(rows, r -> {
            double[] acc = ACC.get(width);
            double[] atom = ROW.get(width);
            Arrays.fill(acc, 0, width, 0.0);
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                dict.getRow(concept[e], atom);
                axpy(value[e], atom, acc, width);
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
        Rows dict = rowsOf(d, "dictionary", concepts, -1);
        Rows grad = rowsOf(g, "gradient", rows, dict.cols);
        int nnz = nonZeros();
        double[] result = reuse != null && reuse.length >= nnz ? reuse : new double[nnz];
        if (usedConcepts.worthIt(rows, nnz, g, d)) {
            return usedConcepts.dotsAt(this, g, d, result);
        }
        int width = dict.cols;
        // by concept: each atom is read once, in order (the gradient rows are few and stay in cache)
        if (dict instanceof Rows.F32 df && grad instanceof Rows.F32 gf) {
            parallel(concepts, j -> {
                if (conceptStart[j] == conceptStart[j + 1]) {
                    return;
                }
                float[] atom = FLOAT_ROW.get(width);
                float[] gr = FLOAT_ACC.get(width);
                df.getFloatRow(j, atom);
                for (int p = conceptStart[j]; p < conceptStart[j + 1]; p++) {
                    int e = byConcept[p];
                    gf.getFloatRow(entryRow[e], gr);
                    result[e] = Sums.dot(atom, gr, width);
                }
            });
            return result;
        }
        parallel(concepts, j -> {
            if (conceptStart[j] == conceptStart[j + 1]) {
                return;
            }
            double[] atom = ROW.get(width);
            double[] gr = ACC.get(width);
            dict.getRow(j, atom);
            for (int p = conceptStart[j]; p < conceptStart[j + 1]; p++) {
                int e = byConcept[p];
                grad.getRow(entryRow[e], gr);
                result[e] = Sums.dot(atom, gr, width);
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
        transposedProduct(values, x, out, true, null);
        return out;
    }

    /**
     * {@code out = V^T x} as {@link #addTransposedProduct}, overwriting every row of {@code out}
     * (zero for a concept without entries) instead of adding to it.
     */
    public INDArray setTransposedProduct(double[] values, INDArray x, INDArray out) {
        transposedProduct(values, x, out, false, null);
        return out;
    }

    /**
     * {@link #setTransposedProduct}, returning the sum of squares of each row it wrote, each summed
     * as it is written, while it is in cache (for {@link dev.saekit.tensor.Parameter#recordGradRowSquares}).
     */
    public double[] setTransposedProductRowSquares(double[] values, INDArray x, INDArray out) {
        double[] rowSquares = new double[concepts];
        transposedProduct(values, x, out, false, rowSquares);
        return rowSquares;
    }

    /**
     * {@link #addTransposedProduct}, bringing {@code rowSquares[j]}, the sum of squares of row
     * {@code j} of {@code out}, up to date for every row it changes.
     */
    public void addTransposedProductRowSquares(double[] values, INDArray x, INDArray out, double[] rowSquares) {
        if (rowSquares.length != concepts) {
            throw new IllegalArgumentException(
                    "row squares must have one entry per concept (" + concepts + "), had " + rowSquares.length);
        }
        transposedProduct(values, x, out, true, rowSquares);
    }

    /** {@code rowSquares} (or null): each row's sum of squares, set for every row written. */
    private void transposedProduct(double[] values, INDArray x, INDArray out, boolean accumulate, double[] rowSquares) {
        Rows in = rowsOf(x, "rows", rows, -1);
        Rows o = rowsOf(out, "transposed-product output", concepts, in.cols);
        if (usedConcepts.worthIt(rows, nonZeros(), x, out)) {
            usedConcepts.transposedProduct(this, values, x, out, accumulate, rowSquares);
            return;
        }
        int width = in.cols;
        if (in instanceof Rows.F32 inf && o instanceof Rows.F32 of) {
            parallel(concepts, j -> {
                boolean none = conceptStart[j] == conceptStart[j + 1];
                if (none && accumulate) {
                    return;
                }
                float[] acc = FLOAT_ACC.get(width);
                float[] xr = FLOAT_ROW.get(width);
                if (accumulate) {
                    of.getFloatRow(j, acc);
                } else {
                    Arrays.fill(acc, 0, width, 0f);
                }
                for (int p = conceptStart[j]; p < conceptStart[j + 1]; p++) {
                    int e = byConcept[p];
                    inf.getFloatRow(entryRow[e], xr);
                    axpy((float) values[e], xr, acc, width);
                }
                of.putFloatRow(j, acc);
                if (rowSquares != null) {
                    rowSquares[j] = none && !accumulate ? 0 : Sums.dot(acc, acc, width);
                }
            });
            return;
        }
        parallel(concepts, j -> {
            boolean none = conceptStart[j] == conceptStart[j + 1];
            if (none && accumulate) {
                return;
            }
            double[] acc = ACC.get(width);
            double[] xr = ROW.get(width);
            if (accumulate) {
                o.getRow(j, acc);
            } else {
                Arrays.fill(acc, 0, width, 0.0);
            }
            for (int p = conceptStart[j]; p < conceptStart[j + 1]; p++) {
                int e = byConcept[p];
                in.getRow(entryRow[e], xr);
                axpy(values[e], xr, acc, width);
            }
            o.putRow(j, acc);
            if (rowSquares != null) {
                rowSquares[j] = none && !accumulate ? 0 : Sums.dot(acc, acc, width);
            }
        });
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

    /**
     * {@code values[e] += w * sign(value(e))} for every entry: an L1 penalty's gradient {@code w sign(z)}
     * at the non-zero codes, where every other code's is 0.
     */
    public double[] addScaledSign(double w, double[] values) {
        for (int e = 0; e < nonZeros(); e++) {
            values[e] += w * Math.signum(value[e]);
        }
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

    /** {@code dense[row(e), concept(e)] += values[e]} for every entry; other entries are left as they are. */
    public INDArray scatterAdd(double[] values, INDArray dense) {
        Rows m = Rows.of(dense, "scatter output");
        if (m.rows != rows || m.cols != concepts) {
            throw new IllegalArgumentException("scatter output must have shape [" + rows + ", " + concepts + "], was "
                    + Arrays.toString(dense.shape()));
        }
        parallel(rows, r -> {
            for (int e = rowStart[r]; e < rowStart[r + 1]; e++) {
                long at = (long) r * concepts + concept[e];
                m.set(at, m.get(at) + values[e]);
            }
        });
        return dense;
    }

    /** {@code out[j] += sum of values[e] over the non-zero entries e of concept j}; {@code out} a vector of {@code concepts}. */
    public INDArray addConceptSums(double[] values, INDArray out) {
        if (out.length() != concepts) {
            throw new IllegalArgumentException(
                    "concept sums need a vector of " + concepts + ", was " + Arrays.toString(out.shape()));
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

    /** {@code a} as rows of the given shape ({@code cols < 0}: any width). */
    private static Rows rowsOf(INDArray a, String what, int rows, int cols) {
        Rows m = Rows.of(a, what);
        if (m.rows != rows || (cols >= 0 && m.cols != cols)) {
            throw new IllegalArgumentException(what + " must have shape [" + rows + ", " + (cols >= 0 ? cols : "width")
                    + "], was " + Arrays.toString(a.shape()));
        }
        return m;
    }

    private static void axpy(float alpha, float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += alpha * x[i];
        }
    }

    private static void axpy(double alpha, double[] x, double[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += alpha * x[i];
        }
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
}
