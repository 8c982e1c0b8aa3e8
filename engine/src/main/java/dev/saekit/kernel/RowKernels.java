package dev.saekit.kernel;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Per-row gathers and scatters for the pursuit encoders, parallel over rows, reading and writing
 * contiguous C-order float32/float64 matrices in place.
 */
public final class RowKernels {
    private static final int MIN_CELLS_PER_TASK = 1 << 14;

    /** Elements per task of the passes over whole arrays ({@link #forEachChunk}). */
    private static final int CHUNK = 1 << 14;

    private static final Scratch.Floats FLOATS = new Scratch.Floats();
    private static final Scratch.Floats MORE_FLOATS = new Scratch.Floats();
    private static final Scratch.Doubles DOUBLES = new Scratch.Doubles();
    private static final Scratch.Doubles MORE_DOUBLES = new Scratch.Doubles();
    private static final Scratch.Floats FLOAT_ROW = new Scratch.Floats();

    private RowKernels() {}

    /**
     * How many entries of the matrix {@code m} have {@code |v| >= threshold}, counted in one parallel
     * pass over its native memory (other layouts and types through a contiguous copy).
     */
    public static long countAbsAtLeast(INDArray m, double threshold) {
        Rows a = Rows.of(Rows.readableCopy(m), "matrix");
        long[] perRow = new long[a.rows];
        parallelRows(a.rows, a.cols, r -> {
            long n = 0;
            if (a instanceof Rows.F32 f) { // the stored floats, one bulk copy per row
                float[] row = FLOAT_ROW.get(a.cols);
                f.getFloatRow(r, row);
                for (int j = 0; j < a.cols; j++) {
                    n += Math.abs(row[j]) >= threshold ? 1 : 0;
                }
            } else {
                long base = (long) r * a.cols;
                for (int j = 0; j < a.cols; j++) {
                    n += Math.abs(a.get(base + j)) >= threshold ? 1 : 0;
                }
            }
            perRow[r] = n;
        });
        long total = 0;
        for (long n : perRow) {
            total += n;
        }
        return total;
    }

    /**
     * {@code out = grad * 1[pre > 0]} in one parallel pass, if the three are contiguous arrays of one
     * type (float32 or float64) and shape; {@code out} may be {@code grad}. False, with nothing done,
     * otherwise.
     */
    public static boolean reluBackward(INDArray pre, INDArray grad, INDArray out) {
        if (!contiguousAlike(pre, grad) || !contiguousAlike(pre, out)) {
            return false;
        }
        if (pre.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            java.nio.FloatBuffer p = pre.data().asNioFloat();
            java.nio.FloatBuffer g = grad.data().asNioFloat();
            java.nio.FloatBuffer o = out.data().asNioFloat();
            forEachChunk(pre.length(), (t, from, len) -> {
                float[] pv = FLOATS.get(len);
                float[] gv = MORE_FLOATS.get(len);
                p.get(from, pv, 0, len);
                g.get(from, gv, 0, len);
                for (int i = 0; i < len; i++) {
                    // grad where pre > 0, else 0 (also for a NaN or infinite grad), without a branch: with
                    // half the pre-codes positive a branch mispredicts every other entry (4x slower).
                    // pre > 0 <=> its bits b, less one, lie in [0, bits(+inf) - 1] as a signed int
                    int x = Float.floatToRawIntBits(pv[i]) - 1;
                    int keep = ~((x | (POSITIVE_FLOAT_BITS_MINUS_ONE - x)) >> 31);
                    gv[i] = Float.intBitsToFloat(Float.floatToRawIntBits(gv[i]) & keep);
                }
                o.put(from, gv, 0, len);
            });
        } else {
            java.nio.DoubleBuffer p = pre.data().asNioDouble();
            java.nio.DoubleBuffer g = grad.data().asNioDouble();
            java.nio.DoubleBuffer o = out.data().asNioDouble();
            forEachChunk(pre.length(), (t, from, len) -> {
                double[] pv = DOUBLES.get(len);
                double[] gv = MORE_DOUBLES.get(len);
                p.get(from, pv, 0, len);
                g.get(from, gv, 0, len);
                for (int i = 0; i < len; i++) {
                    long x = Double.doubleToRawLongBits(pv[i]) - 1;
                    long keep = ~((x | (POSITIVE_DOUBLE_BITS_MINUS_ONE - x)) >> 63);
                    gv[i] = Double.longBitsToDouble(Double.doubleToRawLongBits(gv[i]) & keep);
                }
                o.put(from, gv, 0, len);
            });
        }
        return true;
    }

    /** The bits of {@code +inf} less one: positive floats (and +inf) have bits in [1, this + 1]. */
    private static final int POSITIVE_FLOAT_BITS_MINUS_ONE = Float.floatToRawIntBits(Float.POSITIVE_INFINITY) - 1;

    private static final long POSITIVE_DOUBLE_BITS_MINUS_ONE = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY) - 1;

    /**
     * {@code out += m.sum(0)}: the column sums of {@code m [rows, cols]} added to the vector
     * {@code out}, summed in double over row slices in parallel (ND4J's column reduction is several
     * times slower). Other layouts go through ND4J.
     */
    public static INDArray addColumnSums(INDArray m, INDArray out) {
        if (out.length() != m.columns()) {
            throw new IllegalArgumentException(
                    "column sums need a vector of " + m.columns() + ", was " + java.util.Arrays.toString(out.shape()));
        }
        if (!contiguousAlike(m, m)) {
            return out.addi(m.sum(0).reshape(out.shape()));
        }
        Rows a = Rows.of(m, "matrix");
        int tasks = Math.max(1, Math.min(a.rows, 2 * Runtime.getRuntime().availableProcessors()));
        int rowsPerTask = (a.rows + tasks - 1) / tasks;
        double[][] partial = new double[tasks][a.cols];
        IntStream.range(0, tasks).parallel().forEach(t -> {
            double[] row = new double[a.cols];
            double[] sum = partial[t];
            int to = Math.min(a.rows, (t + 1) * rowsPerTask);
            for (int r = t * rowsPerTask; r < to; r++) {
                a.getRow(r, row);
                for (int j = 0; j < a.cols; j++) {
                    sum[j] += row[j];
                }
            }
        });
        double[] total = partial[0];
        for (int t = 1; t < tasks; t++) {
            for (int j = 0; j < a.cols; j++) {
                total[j] += partial[t][j];
            }
        }
        return out.addi(org.nd4j.linalg.factory.Nd4j.createFromArray(total)
                .castTo(out.dataType())
                .reshape(out.shape()));
    }

    /**
     * Divides each row of {@code w} in place by its l2 norm plus {@code eps}, in one parallel pass
     * per row (squares summed in double; for float32 the norm and divisor are rounded to float
     * before dividing, as a float32 reduction followed by a float32 division). False, with nothing
     * done, for arrays that are not contiguous float32/float64 matrices.
     */
    public static boolean divideRowsByL2Norm(INDArray w, double eps) {
        return divideRowsByL2Norm(w, eps, null, 1.0);
    }

    /**
     * {@link #divideRowsByL2Norm(INDArray, double)}, also writing {@code copy = w * scale} from the
     * projected rows in the same pass (a training fetch of the dictionary: project, then copy).
     * {@code copy} may be null. False, with nothing done, unless {@code w} (and {@code copy}) are
     * contiguous float32/float64 matrices of one type and shape.
     */
    public static boolean divideRowsByL2Norm(INDArray w, double eps, INDArray copy, double scale) {
        if (w.rank() != 2 || !contiguousAlike(w, copy != null ? copy : w)) {
            return false;
        }
        Rows a = Rows.of(w, "matrix");
        Rows c = copy != null ? Rows.of(copy, "copy") : null;
        int cols = a.cols;
        IntStream.range(0, (a.rows + 63) / 64).parallel().forEach(t -> {
            int to = Math.min(a.rows, (t + 1) * 64);
            if (a instanceof Rows.F32 f) {
                float[] row = new float[cols];
                float[] scaled = c != null && scale != 1.0 ? new float[cols] : null;
                float fscale = (float) scale;
                for (int r = t * 64; r < to; r++) {
                    f.getFloatRow(r, row);
                    float divisor = (float) Math.sqrt(Sums.dot(row, row, cols)) + (float) eps;
                    for (int j = 0; j < cols; j++) {
                        row[j] /= divisor;
                    }
                    f.putFloatRow(r, row);
                    if (scaled != null) {
                        for (int j = 0; j < cols; j++) {
                            scaled[j] = row[j] * fscale;
                        }
                        ((Rows.F32) c).putFloatRow(r, scaled);
                    } else if (c != null) {
                        ((Rows.F32) c).putFloatRow(r, row);
                    }
                }
            } else {
                double[] row = new double[cols];
                double[] scaled = c != null && scale != 1.0 ? new double[cols] : null;
                for (int r = t * 64; r < to; r++) {
                    a.getRow(r, row);
                    double divisor = Math.sqrt(Sums.dot(row, row, cols)) + eps;
                    for (int j = 0; j < cols; j++) {
                        row[j] /= divisor;
                    }
                    a.putRow(r, row);
                    if (scaled != null) {
                        for (int j = 0; j < cols; j++) {
                            scaled[j] = row[j] * scale;
                        }
                        c.putRow(r, scaled);
                    } else if (c != null) {
                        c.putRow(r, row);
                    }
                }
            }
        });
        return true;
    }

    /**
     * The sum of the squares of every entry of {@code m}, in double, one parallel pass over a
     * contiguous float32/float64 array (ND4J's reduction otherwise).
     */
    public static double sumOfSquares(INDArray m) {
        if (!contiguousAlike(m, m)) {
            double n = m.norm2Number().doubleValue();
            return n * n;
        }
        if (m.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            java.nio.FloatBuffer b = m.data().asNioFloat();
            return sumOverChunks(m.length(), (from, len) -> {
                float[] v = FLOATS.get(len);
                b.get(from, v, 0, len);
                return Sums.dot(v, v, len);
            });
        }
        java.nio.DoubleBuffer b = m.data().asNioDouble();
        return sumOverChunks(m.length(), (from, len) -> {
            double[] v = DOUBLES.get(len);
            b.get(from, v, 0, len);
            return Sums.dot(v, v, len);
        });
    }

    /**
     * {@code y += alpha * x} in one parallel pass over contiguous float32/float64 arrays of one type
     * and shape (float32 arithmetic for float32, as a BLAS {@code saxpy}). False, with nothing done,
     * for other layouts. (OpenBLAS's threaded {@code axpy} took 2.5-4 ms on a 1024 x 768 batch
     * right after a Java pass; this takes a fraction of that.)
     */
    public static boolean axpy(double alpha, INDArray x, INDArray y) {
        if (!contiguousAlike(x, y)) {
            return false;
        }
        if (x.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            java.nio.FloatBuffer xb = x.data().asNioFloat();
            java.nio.FloatBuffer yb = y.data().asNioFloat();
            float a = (float) alpha;
            forEachChunk(x.length(), (t, from, len) -> {
                float[] xv = FLOATS.get(len);
                float[] yv = MORE_FLOATS.get(len);
                xb.get(from, xv, 0, len);
                yb.get(from, yv, 0, len);
                for (int i = 0; i < len; i++) {
                    yv[i] += a * xv[i];
                }
                yb.put(from, yv, 0, len);
            });
        } else {
            java.nio.DoubleBuffer xb = x.data().asNioDouble();
            java.nio.DoubleBuffer yb = y.data().asNioDouble();
            forEachChunk(x.length(), (t, from, len) -> {
                double[] xv = DOUBLES.get(len);
                double[] yv = MORE_DOUBLES.get(len);
                xb.get(from, xv, 0, len);
                yb.get(from, yv, 0, len);
                for (int i = 0; i < len; i++) {
                    yv[i] += alpha * xv[i];
                }
                yb.put(from, yv, 0, len);
            });
        }
        return true;
    }

    /** Rows of the source read as one tile by {@link #addTransposed}. */
    private static final int TILE = 64;

    private static final Scratch.Floats TILE_FLOATS = new Scratch.Floats();
    private static final Scratch.Floats TILE_ROW = new Scratch.Floats();
    private static final Scratch.Doubles TILE_DOUBLES = new Scratch.Doubles();
    private static final Scratch.Doubles TILE_DOUBLE_ROW = new Scratch.Doubles();

    /**
     * {@code dst += src^T} for contiguous {@code src [r, c]} and {@code dst [c, r]} of one type, in
     * tiles of {@value #TILE} source rows: each tile is read once, row by row, and added into
     * {@value #TILE}-wide contiguous runs of every destination row; tiles write disjoint columns, so
     * they run in parallel. False, with nothing done, for other layouts. (A transcoder's
     * {@code W_enc [input, concepts]} gradient is the transpose of the sparse product
     * {@code [concepts, input]}; ND4J's strided {@code addi(transpose())} took 0.2 s at 768 x 16,384.)
     */
    public static boolean addTransposed(INDArray src, INDArray dst) {
        if (!Rows.readable(src)
                || !Rows.readable(dst)
                || src.dataType() != dst.dataType()
                || src.rank() != 2
                || dst.rank() != 2
                || src.rows() != dst.columns()
                || src.columns() != dst.rows()) {
            return false;
        }
        int r = (int) src.rows();
        int c = (int) src.columns();
        int tiles = (r + TILE - 1) / TILE;
        if (src.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            java.nio.FloatBuffer sb = src.data().asNioFloat();
            java.nio.FloatBuffer db = dst.data().asNioFloat();
            IntStream.range(0, tiles).parallel().forEach(t -> {
                int from = t * TILE;
                int n = Math.min(TILE, r - from);
                float[] tile = TILE_FLOATS.get(n * c);
                float[] run = TILE_ROW.get(n);
                sb.get(from * c, tile, 0, n * c);
                for (int i = 0; i < c; i++) {
                    int at = i * r + from;
                    db.get(at, run, 0, n);
                    for (int k = 0; k < n; k++) {
                        run[k] += tile[k * c + i];
                    }
                    db.put(at, run, 0, n);
                }
            });
        } else {
            java.nio.DoubleBuffer sb = src.data().asNioDouble();
            java.nio.DoubleBuffer db = dst.data().asNioDouble();
            IntStream.range(0, tiles).parallel().forEach(t -> {
                int from = t * TILE;
                int n = Math.min(TILE, r - from);
                double[] tile = TILE_DOUBLES.get(n * c);
                double[] run = TILE_DOUBLE_ROW.get(n);
                sb.get(from * c, tile, 0, n * c);
                for (int i = 0; i < c; i++) {
                    int at = i * r + from;
                    db.get(at, run, 0, n);
                    for (int k = 0; k < n; k++) {
                        run[k] += tile[k * c + i];
                    }
                    db.put(at, run, 0, n);
                }
            });
        }
        return true;
    }

    /**
     * The population variance of all entries of {@code m} (one mean over the whole array), in
     * double over two parallel passes: the mean, then the squared deviations from it (no
     * cancellation when the mean is large against the spread). ND4J's variance otherwise.
     */
    public static double variance(INDArray m) {
        if (!contiguousAlike(m, m) || m.length() == 0) {
            return m.var(false).getDouble(0);
        }
        long length = m.length();
        double mean = chunkSums(m, Double.NaN) / length;
        return chunkSums(m, mean) / length;
    }

    /** Over chunks in parallel: {@code sum(v)} when {@code center} is NaN, else {@code sum((v - center)^2)}. */
    private static double chunkSums(INDArray m, double center) {
        boolean f32 = m.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT;
        java.nio.FloatBuffer fb = f32 ? m.data().asNioFloat() : null;
        java.nio.DoubleBuffer db = f32 ? null : m.data().asNioDouble();
        return sumOverChunks(m.length(), (from, len) -> {
            double[] v = DOUBLES.get(len);
            if (f32) {
                float[] f = FLOATS.get(len);
                fb.get(from, f, 0, len);
                for (int i = 0; i < len; i++) {
                    v[i] = f[i];
                }
            } else {
                db.get(from, v, 0, len);
            }
            if (Double.isNaN(center)) {
                double s = 0;
                for (int i = 0; i < len; i++) {
                    s += v[i];
                }
                return s;
            }
            for (int i = 0; i < len; i++) {
                v[i] -= center;
            }
            return Sums.dot(v, v, len);
        });
    }

    /** One chunk of a pass over a whole array: elements {@code [from, from + len)}, task number {@code task}. */
    @FunctionalInterface
    private interface ChunkPass {
        void run(int task, int from, int len);
    }

    /** The sum over one chunk {@code [from, from + len)}. */
    @FunctionalInterface
    private interface ChunkSum {
        double sum(int from, int len);
    }

    /** Runs {@code body} over {@code [0, length)} in chunks of {@link #CHUNK} elements, in parallel. */
    private static void forEachChunk(long length, ChunkPass body) {
        int tasks = Math.toIntExact((length + CHUNK - 1) / CHUNK);
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int from = t * CHUNK;
            body.run(t, from, (int) Math.min(length - from, CHUNK));
        });
    }

    /** The sum of {@code body} over the chunks of {@code [0, length)}, the chunks' sums added in order (deterministic). */
    private static double sumOverChunks(long length, ChunkSum body) {
        double[] partial = new double[Math.toIntExact((length + CHUNK - 1) / CHUNK)];
        forEachChunk(length, (t, from, len) -> partial[t] = body.sum(from, len));
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    /** Whether {@code a} and {@code b} are {@link Rows#readable} arrays of one type and shape. */
    private static boolean contiguousAlike(INDArray a, INDArray b) {
        return Rows.readable(a)
                && Rows.readable(b)
                && a.dataType() == b.dataType()
                && java.util.Arrays.equals(a.shape(), b.shape());
    }

    /**
     * Sets {@code active[j]} for every column {@code j} of {@code m [rows, cols]} with a non-zero
     * entry: one parallel pass over the rows (a column reduction in ND4J is several times slower).
     */
    public static void markNonZeroColumns(INDArray m, boolean[] active) {
        Rows a = Rows.of(Rows.readableCopy(m), "matrix");
        if (active.length != a.cols) {
            throw new IllegalArgumentException("one flag per column needed: " + a.cols + ", was " + active.length);
        }
        // only ever set to true: concurrent tasks cannot lose a flag. Testing the flag first keeps the
        // branch predictable once a column is active (with half the codes non-zero, testing the code
        // alone mispredicts every other entry: 48 ms instead of a few on 1024 x 16384)
        IntStream.range(0, (a.rows + 63) / 64).parallel().forEach(t -> {
            int to = Math.min(a.rows, (t + 1) * 64);
            if (a instanceof Rows.F32 f) {
                float[] row = new float[a.cols];
                for (int r = t * 64; r < to; r++) {
                    f.getFloatRow(r, row);
                    for (int j = 0; j < a.cols; j++) {
                        if (!active[j] && row[j] != 0) {
                            active[j] = true;
                        }
                    }
                }
                return;
            }
            double[] row = new double[a.cols];
            for (int r = t * 64; r < to; r++) {
                a.getRow(r, row);
                for (int j = 0; j < a.cols; j++) {
                    if (!active[j] && row[j] != 0) {
                        active[j] = true;
                    }
                }
            }
        });
    }

    /**
     * {@code out[i, j] = a[i, j] < threshold[j] ? 0 : a[i, j]}: keeps the entries at or above their
     * column's threshold (a NaN is kept, so that it surfaces). One parallel pass over the rows; false,
     * with nothing done, unless {@code a} and {@code out} are contiguous arrays of one type and shape.
     */
    public static boolean keepAtLeast(INDArray a, double[] threshold, INDArray out) {
        if (a.rank() != 2 || !contiguousAlike(a, out)) {
            return false;
        }
        Rows in = Rows.of(a, "matrix");
        Rows o = Rows.of(out, "output");
        if (threshold.length != in.cols) {
            throw new IllegalArgumentException(
                    "one threshold per column needed: " + in.cols + ", was " + threshold.length);
        }
        IntStream.range(0, (in.rows + 63) / 64).parallel().forEach(t -> {
            double[] row = DOUBLES.get(in.cols); // each forward of JumpReLU: no garbage per call
            for (int r = t * 64, to = Math.min(in.rows, r + 64); r < to; r++) {
                in.getRow(r, row);
                for (int j = 0; j < in.cols; j++) {
                    if (row[j] < threshold[j]) {
                        row[j] = 0;
                    }
                }
                o.putRow(r, row);
            }
        });
        return true;
    }

    /**
     * {@code g += w * sign(z)} (a NaN code gives a NaN), for {@code z} and {@code g} of one shape; in
     * place with one pass when both are contiguous arrays of one type, else through a copy.
     */
    public static void addScaledSign(INDArray z, double w, INDArray g) {
        if (!contiguousAlike(z, g)) {
            g.addi(Transforms.sign(z, true).castTo(g.dataType()).muli(w));
            return;
        }
        if (z.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            java.nio.FloatBuffer c = z.data().asNioFloat();
            java.nio.FloatBuffer o = g.data().asNioFloat();
            float wf = (float) w;
            forEachChunk(z.length(), (t, from, len) -> {
                float[] cv = FLOATS.get(len);
                float[] gv = MORE_FLOATS.get(len);
                c.get(from, cv, 0, len);
                o.get(from, gv, 0, len);
                for (int i = 0; i < len; i++) {
                    gv[i] += wf * Math.signum(cv[i]);
                }
                o.put(from, gv, 0, len);
            });
        } else {
            java.nio.DoubleBuffer c = z.data().asNioDouble();
            java.nio.DoubleBuffer o = g.data().asNioDouble();
            forEachChunk(z.length(), (t, from, len) -> {
                double[] cv = DOUBLES.get(len);
                double[] gv = MORE_DOUBLES.get(len);
                c.get(from, cv, 0, len);
                o.get(from, gv, 0, len);
                for (int i = 0; i < len; i++) {
                    gv[i] += w * Math.signum(cv[i]);
                }
                o.put(from, gv, 0, len);
            });
        }
    }

    /** A term of a column sum: {@code term(j, a, b)} for an entry of column {@code j}. */
    @FunctionalInterface
    public interface ColumnTerm {
        double of(int column, double a, double b);
    }

    /**
     * {@code sums[j] = sum_i term(j, a[i, j], b[i, j])} over the entries with {@code b[i, j] != 0}, read
     * in place ({@code a} and {@code b} as {@link Rows#readable}, else copied). Blocks of 64 rows run in
     * parallel, each into its own partial sums, added in block order: the result does not depend on
     * the number of threads.
     */
    public static void columnSumsWhereNonZero(INDArray a, INDArray b, ColumnTerm term, double[] sums) {
        Rows x = Rows.of(Rows.readableCopy(a), "matrix");
        Rows y = Rows.of(Rows.readableCopy(b), "matrix");
        if (x.rows != y.rows || x.cols != y.cols || sums.length != x.cols) {
            throw new IllegalArgumentException("column sums of [" + x.rows + ", " + x.cols + "] and [" + y.rows + ", "
                    + y.cols + "] into " + sums.length + " sums");
        }
        int blocks = (x.rows + 63) / 64;
        double[][] partial = new double[blocks][];
        IntStream.range(0, blocks).parallel().forEach(t -> {
            double[] s = new double[x.cols];
            double[] ra = DOUBLES.get(x.cols);
            double[] rb = MORE_DOUBLES.get(x.cols);
            for (int r = t * 64, to = Math.min(x.rows, r + 64); r < to; r++) {
                x.getRow(r, ra);
                y.getRow(r, rb);
                for (int j = 0; j < x.cols; j++) {
                    if (rb[j] != 0) {
                        s[j] += term.of(j, ra[j], rb[j]);
                    }
                }
            }
            partial[t] = s;
        });
        java.util.Arrays.fill(sums, 0);
        for (double[] s : partial) {
            for (int j = 0; j < sums.length; j++) {
                sums[j] += s[j];
            }
        }
    }

    /**
     * Signed argmax of each row of {@code scores [rows, cols]} (ties go to the lowest index);
     * writes the index into {@code index[row]} and the value into {@code value[row]}.
     */
    public static void argmax(INDArray scores, int[] index, double[] value) {
        Rows s = Rows.of(scores, "scores");
        parallelRows(s.rows, s.cols, r -> {
            long base = (long) r * s.cols;
            int best = 0;
            double bestValue = s.get(base);
            for (int j = 1; j < s.cols; j++) {
                double v = s.get(base + j);
                if (v > bestValue) {
                    bestValue = v;
                    best = j;
                }
            }
            index[r] = best;
            value[r] = bestValue;
        });
    }

    /** {@code target[row, index[row]] += value[row]} for every row. */
    public static void scatterAdd(INDArray target, int[] index, double[] value) {
        Rows t = Rows.of(target, "target");
        for (int r = 0; r < t.rows; r++) {
            long i = (long) r * t.cols + index[r];
            t.set(i, t.get(i) + value[r]);
        }
    }

    /** {@code target[row] += scale[row] * atoms[index[row]]} for every row. */
    public static void addScaledRows(INDArray target, INDArray atoms, int[] index, double[] scale) {
        Rows t = Rows.of(target, "target");
        Rows a = Rows.of(atoms, "atoms");
        if (t.cols != a.cols) {
            throw new IllegalArgumentException("target has " + t.cols + " columns, atoms have " + a.cols);
        }
        parallelRows(t.rows, t.cols, r -> {
            long tb = (long) r * t.cols;
            long ab = (long) index[r] * a.cols;
            double s = scale[r];
            for (int j = 0; j < t.cols; j++) {
                t.set(tb + j, t.get(tb + j) + s * a.get(ab + j));
            }
        });
    }

    /** {@code out[row] = <left[row], atoms[index[row]]>} for every row. */
    public static void dotWithRows(INDArray left, INDArray atoms, int[] index, double[] out) {
        Rows l = Rows.of(left, "left");
        Rows a = Rows.of(atoms, "atoms");
        parallelRows(l.rows, l.cols, r -> {
            long lb = (long) r * l.cols;
            long ab = (long) index[r] * a.cols;
            double sum = 0;
            for (int j = 0; j < l.cols; j++) {
                sum += l.get(lb + j) * a.get(ab + j);
            }
            out[r] = sum;
        });
    }

    /** {@code v = m[row, index[row]]} for every row. */
    public static void gather(INDArray m, int[] index, double[] out) {
        Rows s = Rows.of(m, "matrix");
        for (int r = 0; r < s.rows; r++) {
            out[r] = s.get((long) r * s.cols + index[r]);
        }
    }

    /**
     * {@code atomsGrad[index[row]] += a[row] * left[row] + b[row] * right[row]} for every row,
     * accumulated serially (several rows may pick the same atom).
     */
    public static void accumulateAtomRows(
            INDArray atomsGrad, int[] index, double[] a, INDArray left, double[] b, INDArray right) {
        Rows g = Rows.of(atomsGrad, "atom gradient");
        Rows l = Rows.of(left, "left");
        Rows rr = Rows.of(right, "right");
        for (int r = 0; r < l.rows; r++) {
            long gb = (long) index[r] * g.cols;
            long lb = (long) r * l.cols;
            for (int j = 0; j < g.cols; j++) {
                g.set(gb + j, g.get(gb + j) + a[r] * l.get(lb + j) + b[r] * rr.get(lb + j));
            }
        }
    }

    private static void parallelRows(int rows, int cols, java.util.function.IntConsumer body) {
        int rowsPerTask = Math.max(1, MIN_CELLS_PER_TASK / Math.max(1, cols));
        int tasks = (rows + rowsPerTask - 1) / rowsPerTask;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int to = Math.min(rows, (t + 1) * rowsPerTask);
            for (int r = t * rowsPerTask; r < to; r++) {
                body.accept(r);
            }
        });
    }
}
