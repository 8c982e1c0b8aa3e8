package dev.saekit.concepts;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Random sparse code rows to check the statistics against: each row fires a few distinct concepts
 * (some rows none), with values on a coarse grid (so that top values tie), some negative, and some
 * magnitudes far outside the histogram's range; each row has a label from a small alphabet. Rows
 * also hold explicit zeros, which must not fire.
 */
final class SparseRows {
    final int rows;
    final int concepts;
    /** Row r's entries: concepts and values, explicit zeros included. */
    final int[][] index;

    final float[][] value;
    final int[] labels;

    SparseRows(long seed, int rows, int concepts, int alphabet) {
        Random rng = new Random(seed);
        this.rows = rows;
        this.concepts = concepts;
        this.index = new int[rows][];
        this.value = new float[rows][];
        this.labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            int n = rng.nextInt(5) == 0 ? 0 : rng.nextInt(Math.min(concepts, 6) + 1);
            int[] pick = rng.ints(0, concepts).distinct().limit(n).toArray();
            index[r] = pick;
            value[r] = new float[n];
            for (int e = 0; e < n; e++) {
                value[r][e] = value(rng);
            }
            labels[r] = rng.nextInt(alphabet) - 2; // a few negative labels too
        }
    }

    private static float value(Random rng) {
        int kind = rng.nextInt(20);
        if (kind == 0) {
            return 0; // an explicit zero: does not fire
        }
        if (kind == 1) {
            return (float) Math.pow(10, rng.nextInt(14) - 7)
                    * (rng.nextBoolean() ? 1 : -1); // decade edges, far out too
        }
        float v = (1 + rng.nextInt(16)) * 0.25f; // ties
        return kind < 5 ? -v : v;
    }

    /** Rows {@code [from, to)} as a sparse block: indptr, indices, values. */
    Csr csr(int from, int to) {
        int[] indptr = new int[to - from + 1];
        for (int r = from; r < to; r++) {
            indptr[r - from + 1] = indptr[r - from] + index[r].length;
        }
        int[] indices = new int[indptr[to - from]];
        float[] values = new float[indices.length];
        for (int r = from; r < to; r++) {
            System.arraycopy(index[r], 0, indices, indptr[r - from], index[r].length);
            System.arraycopy(value[r], 0, values, indptr[r - from], index[r].length);
        }
        return new Csr(indptr, indices, values);
    }

    /** Rows {@code [from, to)} as a dense float32 matrix. */
    INDArray dense(int from, int to) {
        float[] flat = new float[(to - from) * concepts];
        for (int r = from; r < to; r++) {
            for (int e = 0; e < index[r].length; e++) {
                flat[(r - from) * concepts + index[r][e]] = value[r][e];
            }
        }
        return Tensors.fromFlat(DType.FLOAT32, flat, to - from, concepts);
    }

    /** The labels of rows {@code [from, to)}. */
    int[] labels(int from, int to) {
        return java.util.Arrays.copyOfRange(labels, from, to);
    }

    /** Adds rows {@code [from, to)} to {@code s} as one sparse block, with labels. */
    void add(ConceptStatistics s, int from, int to) {
        Csr b = csr(from, to);
        s.add(from, to - from, b.indptr, b.indices, b.values, labels(from, to));
    }

    /** Adds rows {@code [from, to)} to {@code s} in blocks of random sizes (1 to 40 rows). */
    void addInBlocks(ConceptStatistics s, int from, int to, Random rng) {
        for (int r = from; r < to; ) {
            int end = Math.min(to, r + 1 + rng.nextInt(40));
            add(s, r, end);
            r = end;
        }
    }

    /** Adds every row that {@code part} selects to {@code s}, each run of consecutive selected rows as one block. */
    void addWhere(ConceptStatistics s, boolean[] part) {
        for (int r = 0; r < rows; ) {
            if (!part[r]) {
                r++;
                continue;
            }
            int end = r;
            while (end < rows && part[end]) {
                end++;
            }
            add(s, r, end);
            r = end;
        }
    }

    /** Concept {@code c}'s value in row {@code r}, 0 where it does not fire. */
    float get(int r, int c) {
        for (int e = 0; e < index[r].length; e++) {
            if (index[r][e] == c) {
                return value[r][e];
            }
        }
        return 0;
    }

    record Csr(int[] indptr, int[] indices, float[] values) {}
}
