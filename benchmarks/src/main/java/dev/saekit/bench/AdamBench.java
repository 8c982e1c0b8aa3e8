package dev.saekit.bench;

import dev.saekit.kernel.AdamKernel;
import dev.saekit.tensor.SeededRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One AdamW update of a {@code [concepts, input]} parameter (the dictionary's or the encoder's
 * weights): {@link AdamKernel}'s single pass over native memory against the same update as a
 * sequence of ND4J operations into one scratch array (the engine's {@code Adam} for arrays the
 * fused step does not support). Every call updates the state again, as training does.
 */
public class AdamBench extends KernelBenchmark {
    static final double LR = 1e-3;
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;
    static final double WEIGHT_DECAY = 0.01;
    // bias corrections of step 10
    static final double BC1 = 1 - Math.pow(BETA1, 10);
    static final double BC2_SQRT = Math.sqrt(1 - Math.pow(BETA2, 10));

    @Param("16384")
    public int concepts;

    @Param("768")
    public int input;

    INDArray weights;
    INDArray gradient;
    INDArray expAvg;
    INDArray expAvgSq;
    private INDArray scratch;

    @Setup
    public void setup() {
        SeededRandom random = new SeededRandom(SEED);
        weights = random.normal(dtype(), 1.0, concepts, input);
        gradient = random.normal(dtype(), 1.0, concepts, input);
        expAvg = random.normal(dtype(), 0.1, concepts, input);
        expAvgSq = random.uniform(dtype(), 0.0, 0.01, concepts, input);
        scratch = weights.ulike();
    }

    @Benchmark
    public INDArray fused() {
        AdamKernel.step(weights, gradient, expAvg, expAvgSq, LR, BETA1, BETA2, EPS, BC1, BC2_SQRT, WEIGHT_DECAY, true);
        return weights;
    }

    @Benchmark
    public INDArray nd4jOps() {
        weights.muli(1.0 - LR * WEIGHT_DECAY);
        expAvg.muli(BETA1).addi(scratch.assign(gradient).muli(1 - BETA1));
        expAvgSq.muli(BETA2).addi(scratch.assign(gradient).muli(gradient).muli(1 - BETA2));
        INDArray denom =
                Transforms.sqrt(scratch.assign(expAvgSq), false).divi(BC2_SQRT).addi(EPS);
        return weights.subi(denom.rdivi(expAvg).muli(LR / BC1));
    }
}
