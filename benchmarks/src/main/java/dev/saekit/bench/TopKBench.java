package dev.saekit.bench;

import dev.saekit.kernel.TopK;
import dev.saekit.tensor.Ops;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The two top-k selections of the TopK and BatchTopK SAEs, on ReLU'd normal pre-codes
 * {@code [batch, concepts]} as the encoder produces them: {@code k} per row, and the
 * {@code k * batch}-th largest over the whole batch (BatchTopK's threshold).
 */
public class TopKBench extends KernelBenchmark {
    @Param("1024")
    public int batch;
    @Param("16384")
    public int concepts;
    @Param("32")
    public int k;

    INDArray preCodes;
    INDArray codes;

    @Setup
    public void setup() {
        preCodes = new SeededRandom(SEED).normal(dtype(), 1.0, batch, concepts);
        Ops.relu(preCodes, preCodes);
        codes = Tensors.zeros(dtype(), batch, concepts);
    }

    /** TopK: the k largest of each row kept in place, the rest zeroed ({@code TopKSae}). */
    @Benchmark
    public INDArray perRow() {
        return TopK.perRow(preCodes, k, codes);
    }

    /** BatchTopK: the {@code k * batch}-th largest value of the whole batch ({@code BatchTopKSae}). */
    @Benchmark
    public double batchKthLargest() {
        return TopK.kthLargest(preCodes, (long) k * batch);
    }
}
