package dev.saekit.bench;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The top-k selections of the TopK and BatchTopK SAEs on normal pre-codes {@code [batch, concepts]}:
 * {@code k} per row, and the {@code k * batch} largest over the whole batch. The {@code Sparse} /
 * {@code keepLargest} benchmarks are the training path (the ReLU folded in, sparse codes out, one
 * read of the pre-codes per row or two per batch); the others are the dense-output API on codes
 * that are already ReLU'd.
 */
public class TopKBench extends KernelBenchmark {
    @Param("1024")
    public int batch;

    @Param("16384")
    public int concepts;

    @Param("32")
    public int k;

    INDArray raw;
    INDArray preCodes;
    INDArray codes;
    SparseCodes sparse;

    @Setup
    public void setup() {
        raw = new SeededRandom(SEED).normal(dtype(), 1.0, batch, concepts);
        preCodes = Ops.relu(raw, raw.ulike());
        sparse = new SparseCodes();
        codes = Tensors.zeros(dtype(), batch, concepts);
    }

    /** TopK: the k largest of each row kept in place, the rest zeroed ({@code TopKSae}). */
    @Benchmark
    public INDArray perRow() {
        return TopK.perRow(preCodes, k, codes);
    }

    /** TopK's training path: the k largest of each row of {@code relu(pre-codes)} as sparse codes. */
    @Benchmark
    public SparseCodes perRowSparse() {
        return TopK.perRow(raw, k, true, sparse);
    }

    /** BatchTopK's training path: the {@code k * batch} largest of {@code relu(pre-codes)} as sparse codes. */
    @Benchmark
    public double batchKeepLargest() {
        return TopK.keepLargest(raw, (long) k * batch, true, sparse);
    }

    /** BatchTopK: the {@code k * batch}-th largest value of the whole batch ({@code BatchTopKSae}). */
    @Benchmark
    public double batchKthLargest() {
        return TopK.kthLargest(preCodes, (long) k * batch);
    }
}
