package dev.saekit.bench;

import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The sparse path of a TopK step ({@link SparseCodes}) next to the dense product each part
 * replaces. The codes {@code z [batch, concepts]} keep the {@code k} largest of normal draws per
 * row; the dictionary {@code D [concepts, input]} and the reconstruction's gradient
 * {@code g [batch, input]} are normal. A sparse product costs {@code batch * k * input}
 * multiply-adds, its dense counterpart {@code batch * concepts * input}.
 *
 * <p>The {@code ...Product} and {@code conceptSums} benchmarks accumulate into their output, as
 * the gradients do; the output grows from call to call, which does not change the work.
 */
public class SparseCodesBench extends KernelBenchmark {
    @Param("1024")
    public int batch;

    @Param("16384")
    public int concepts;

    @Param("768")
    public int input;

    @Param("32")
    public int k;

    INDArray codes;
    INDArray dictionary;
    INDArray gradient;
    SparseCodes sparse;
    double[] values;

    private INDArray reconstruction;
    private double[] dots;
    private INDArray denseCodesGradient;
    private INDArray dictionaryGradient;
    private INDArray conceptSums;

    @Setup
    public void setup() {
        SeededRandom random = new SeededRandom(SEED);
        INDArray draws = random.normal(dtype(), 1.0, batch, concepts);
        codes = TopK.perRow(draws, k, draws);
        dictionary = random.normal(dtype(), 1.0, concepts, input);
        gradient = random.normal(dtype(), 1.0, batch, input);
        sparse = SparseCodes.of(codes, null);
        values = sparse.values().clone();
        reconstruction = Tensors.zeros(dtype(), batch, input);
        dots = new double[sparse.nonZeros()];
        denseCodesGradient = Tensors.zeros(dtype(), batch, concepts);
        dictionaryGradient = Tensors.zeros(dtype(), concepts, input);
        conceptSums = Tensors.zeros(dtype(), concepts);
    }

    /** The non-zero codes by row and by concept, rebuilt into the same arrays (every forward). */
    @Benchmark
    public SparseCodes build() {
        return SparseCodes.of(codes, sparse);
    }

    /** The reconstruction {@code z D} over the non-zero codes. */
    @Benchmark
    public INDArray decode() {
        return sparse.decode(dictionary, reconstruction);
    }

    /** The reconstruction {@code z D} as one dense product (the engine's path for dense codes). */
    @Benchmark
    public INDArray decodeDense() {
        return Nd4j.gemm(codes, dictionary, reconstruction, false, false, 1.0, 0.0);
    }

    /** The codes' gradient {@code g D^T} at the non-zero codes only. */
    @Benchmark
    public double[] dotsAt() {
        return sparse.dotsAt(gradient, dictionary, dots);
    }

    /** The codes' gradient {@code g D^T} everywhere, as one dense product. */
    @Benchmark
    public INDArray dotsAtDense() {
        return Nd4j.gemm(gradient, dictionary, denseCodesGradient, false, true, 1.0, 0.0);
    }

    /** {@code dL/dD += z^T g} (and, with the code gradient and {@code x}, {@code dL/dW += G^T x}) over the non-zero codes. */
    @Benchmark
    public INDArray transposedProduct() {
        return sparse.addTransposedProduct(values, gradient, dictionaryGradient);
    }

    /** {@code dL/dD += z^T g} as one dense product. */
    @Benchmark
    public INDArray transposedProductDense() {
        return Nd4j.gemm(codes, gradient, dictionaryGradient, true, false, 1.0, 1.0);
    }

    /** The encoder bias's gradient: per concept, the sum of the non-zero entries. */
    @Benchmark
    public INDArray conceptSums() {
        return sparse.addConceptSums(values, conceptSums);
    }

    /** The same sums as a column sum of the dense matrix. */
    @Benchmark
    public INDArray conceptSumsDense() {
        return conceptSums.addi(codes.sum(0));
    }
}
