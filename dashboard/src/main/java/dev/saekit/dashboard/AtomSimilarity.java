package dev.saekit.dashboard;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Each dictionary atom's nearest atoms by cosine similarity, computed a block of atoms at a time so
 * that memory stays {@code block x concepts} whatever the dictionary's size.
 */
public final class AtomSimilarity {
    /** Atom {@code concept}'s nearest atoms, most similar first, and their cosines. */
    public record Neighbours(int[] concepts, float[] cosines) {}

    private AtomSimilarity() {}

    /** The {@code n} nearest other atoms of every row of {@code dictionary [concepts, input]}; a zero atom has cosine 0 to all. */
    public static Neighbours[] nearest(INDArray dictionary, int n) {
        int concepts = (int) dictionary.rows();
        int keep = Math.max(0, Math.min(n, concepts - 1));
        INDArray d = dictionary.castTo(DataType.FLOAT).dup('c');
        INDArray norms = d.norm2(1).reshape(concepts, 1);
        INDArray unit = d.div(norms.add(Float.MIN_NORMAL)); // zero atoms stay zero
        Neighbours[] out = new Neighbours[concepts];
        int block = Math.max(1, Math.min(concepts, (1 << 24) / Math.max(1, concepts)));
        for (int start = 0; start < concepts; start += block) {
            int end = Math.min(concepts, start + block);
            INDArray sims = unit.get(NDArrayIndex.interval(start, end), NDArrayIndex.all())
                    .mmul(unit.transpose())
                    .dup('c');
            float[] v = sims.data().asFloat();
            for (int i = start; i < end; i++) {
                out[i] = top(v, (i - start) * concepts, concepts, i, keep);
            }
        }
        return out;
    }

    /** The {@code keep} largest of {@code v[base .. base + len)} except index {@code self}, largest first (ties: lower index). */
    static Neighbours top(float[] v, int base, int len, int self, int keep) {
        if (keep == 0) {
            return new Neighbours(new int[0], new float[0]);
        }
        int[] idx = new int[keep];
        float[] val = new float[keep];
        int size = 0;
        for (int j = 0; j < len; j++) {
            if (j == self) {
                continue;
            }
            float x = v[base + j];
            if (size == keep && !(x > val[size - 1])) {
                continue;
            }
            int at = size < keep ? size++ : size - 1;
            while (at > 0 && x > val[at - 1]) {
                val[at] = val[at - 1];
                idx[at] = idx[at - 1];
                at--;
            }
            val[at] = x;
            idx[at] = j;
        }
        return new Neighbours(java.util.Arrays.copyOf(idx, size), java.util.Arrays.copyOf(val, size));
    }
}
