package dev.saekit.kernel;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The products of {@link SparseCodes} as dense products over the concepts that have entries, for
 * codes that are dense among those: AuxK keeps 384 of a few thousand dead latents per row (about
 * 15%). Each product gathers what it needs into {@code [rows, used]} or {@code [used, width]}
 * matrices and runs one BLAS product, whose vectorised multiply-adds are some 20 times faster than
 * the entry-by-entry loops' (the JIT vectorises no dot product), which more than pays for the
 * zeros it multiplies.
 *
 * <p>The gathered matrices have room for a multiple of {@value #ROUND} concepts, the rest zero, kept
 * while the count of used concepts moves within 1/8 of it, so that the count changing from step to
 * step reuses the same arrays; an array of a new shape frees the one it replaces at once.
 */
final class UsedConcepts {
    /** With at least this share of the (row, used concept) pairs non-zero, the dense products run. */
    static final double DENSE_SHARE = 1.0 / 12;

    private static final int ROUND = 128;
    private static final Scratch.Floats FLOAT_ROW = new Scratch.Floats();
    private static final Scratch.Doubles ROW = new Scratch.Doubles();
    private static final Scratch.Floats FLOAT_OUT = new Scratch.Floats();
    private static final Scratch.Doubles OUT = new Scratch.Doubles();

    /** The gathered matrices by name (see {@link #array}). */
    private final Map<String, INDArray> arrays = new HashMap<>();

    private int used;
    private int padded;
    private int[] usedConcept = new int[0];
    private int[] slot = new int[0];

    /** Numbers the concepts that have entries (where {@code conceptStart} steps up), ascending. */
    void index(int concepts, int[] conceptStart) {
        if (slot.length < concepts) {
            slot = new int[concepts];
            usedConcept = new int[concepts];
        }
        used = 0;
        for (int j = 0; j < concepts; j++) {
            if (conceptStart[j + 1] > conceptStart[j]) {
                slot[j] = used;
                usedConcept[used++] = j;
            } else {
                slot[j] = -1;
            }
        }
        int needed = Math.max(ROUND, (used + ROUND - 1) / ROUND * ROUND);
        // the room stays while it is enough and at most 1/8 too much, so that a count of used concepts
        // moving by a few from step to step (AuxK's dead latents) keeps the same arrays
        padded = needed <= padded && needed >= padded - padded / 8 ? padded : needed;
    }

    /** Whether {@code nnz} entries over {@code rows} rows are dense enough among the used concepts. */
    boolean worthIt(int rows, int nnz, INDArray... operands) {
        for (INDArray a : operands) {
            if (a.dataType() != operands[0].dataType()) {
                return false;
            }
        }
        return used > 0 && nnz >= DENSE_SHARE * rows * (double) used;
    }

    /** The used concept's position, or -1. */
    int slot(int concept) {
        return slot[concept];
    }

    int padded() {
        return padded;
    }

    /** The rows of {@code d [concepts, width]} of the used concepts, {@code [padded, width]}, zero below. */
    INDArray atoms(INDArray d) {
        Rows dict = Rows.of(d, "dictionary");
        int width = dict.cols;
        INDArray atoms = array("used-atoms", d, padded, width);
        Rows a = Rows.of(atoms, "used atoms");
        parallel(padded, s -> {
            if (dict instanceof Rows.F32 df && a instanceof Rows.F32 af) {
                float[] row = FLOAT_ROW.get(width);
                if (s < used) {
                    df.getFloatRow(usedConcept[s], row);
                } else {
                    Arrays.fill(row, 0, width, 0f);
                }
                af.putFloatRow(s, row);
            } else {
                double[] row = ROW.get(width);
                if (s < used) {
                    dict.getRow(usedConcept[s], row);
                } else {
                    Arrays.fill(row, 0, width, 0.0);
                }
                a.putRow(s, row);
            }
        });
        return atoms;
    }

    /** {@code values} at the entries of {@code codes}, dense over the used concepts: {@code [rows, padded]}. */
    INDArray values(SparseCodes codes, double[] values, INDArray like) {
        INDArray v = array("used-values", like, codes.rows(), padded);
        Rows m = Rows.of(v, "used values");
        parallel(codes.rows(), r -> {
            int from = codes.rowStart(r);
            int to = codes.rowStart(r + 1);
            if (m instanceof Rows.F32 f) {
                float[] row = FLOAT_ROW.get(padded);
                Arrays.fill(row, 0, padded, 0f);
                for (int e = from; e < to; e++) {
                    row[slot[codes.concept(e)]] = (float) values[e];
                }
                f.putFloatRow(r, row);
            } else {
                double[] row = ROW.get(padded);
                Arrays.fill(row, 0, padded, 0.0);
                for (int e = from; e < to; e++) {
                    row[slot[codes.concept(e)]] = values[e];
                }
                m.putRow(r, row);
            }
        });
        return v;
    }

    /** {@code out = z d} as one product: {@code [rows, padded] x [padded, width]}. */
    INDArray decode(SparseCodes codes, INDArray d, INDArray out) {
        INDArray v = values(codes, codes.values(), out);
        return Nd4j.gemm(v, atoms(d), out, false, false, 1.0, 0.0);
    }

    /** {@code result[e] = g[row(e)] . d[concept(e)]}, read from the product {@code g atoms^T [rows, padded]}. */
    double[] dotsAt(SparseCodes codes, INDArray g, INDArray d, double[] result) {
        INDArray products = array("used-dots", g, codes.rows(), padded);
        Nd4j.gemm(g, atoms(d), products, false, true, 1.0, 0.0);
        Rows p = Rows.of(products, "used dots");
        parallel(codes.rows(), r -> {
            long base = (long) r * padded;
            for (int e = codes.rowStart(r); e < codes.rowStart(r + 1); e++) {
                result[e] = p.get(base + slot[codes.concept(e)]);
            }
        });
        return result;
    }

    /**
     * {@code out[j] (+)= (V^T x)[j]} for every concept: one product {@code [padded, rows] x [rows, width]},
     * its rows added to (or written into) the used concepts' rows of {@code out}; without
     * {@code accumulate} the other rows of {@code out} become zero. {@code rowSquares} (or null):
     * each row's sum of squares, set for every row written.
     */
    INDArray transposedProduct(
            SparseCodes codes, double[] values, INDArray x, INDArray out, boolean accumulate, double[] rowSquares) {
        INDArray v = values(codes, values, x);
        int width = (int) x.columns();
        INDArray product = array("used-product", x, padded, width);
        Nd4j.gemm(v, x, product, true, false, 1.0, 0.0);
        Rows p = Rows.of(product, "used product");
        Rows o = Rows.of(out, "transposed-product output");
        parallel(o.rows, j -> {
            int s = slot[j];
            if (s < 0 && accumulate) {
                return;
            }
            if (p instanceof Rows.F32 pf && o instanceof Rows.F32 of) {
                float[] row = FLOAT_ROW.get(width);
                if (s < 0) {
                    Arrays.fill(row, 0, width, 0f);
                } else {
                    pf.getFloatRow(s, row);
                }
                if (accumulate) {
                    float[] before = FLOAT_OUT.get(width);
                    of.getFloatRow(j, before);
                    for (int i = 0; i < width; i++) {
                        row[i] += before[i];
                    }
                }
                of.putFloatRow(j, row);
                if (rowSquares != null) {
                    rowSquares[j] = s < 0 ? 0 : Sums.dot(row, row, width);
                }
            } else {
                double[] row = ROW.get(width);
                if (s < 0) {
                    Arrays.fill(row, 0, width, 0.0);
                } else {
                    p.getRow(s, row);
                }
                if (accumulate) {
                    double[] before = OUT.get(width);
                    o.getRow(j, before);
                    for (int i = 0; i < width; i++) {
                        row[i] += before[i];
                    }
                }
                o.putRow(j, row);
                if (rowSquares != null) {
                    rowSquares[j] = s < 0 ? 0 : Sums.dot(row, row, width);
                }
            }
        });
        return out;
    }

    /**
     * The array {@code name} of {@code like}'s type and shape {@code [rows, cols]}: the same one as
     * long as those stay, else a new one, the old one freed at once. The arrays never leave this
     * class, so nothing holds one it replaces; left to the garbage collector, the native memory of
     * each replaced array would wait for a collection that the few Java objects of a step rarely cause.
     */
    private INDArray array(String name, INDArray like, long rows, long cols) {
        DType type = Tensors.dtypeOf(like);
        INDArray a = arrays.get(name);
        if (a != null && a.rows() == rows && a.columns() == cols && Tensors.dtypeOf(a) == type) {
            return a;
        }
        if (a != null && a.closeable()) {
            a.close();
        }
        a = Tensors.zeros(type, rows, cols);
        arrays.put(name, a);
        return a;
    }

    private static void parallel(int n, java.util.function.IntConsumer body) {
        int tasks = (n + SparseCodes.CHUNK - 1) / SparseCodes.CHUNK;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int to = Math.min(n, (t + 1) * SparseCodes.CHUNK);
            for (int i = t * SparseCodes.CHUNK; i < to; i++) {
                body.accept(i);
            }
        });
    }
}
