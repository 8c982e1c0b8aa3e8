package dev.saekit.bench;

import dev.saekit.tensor.DType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every kernel benchmark shares: milliseconds per call, one fork, 3 warm-up and 5 measured
 * iterations of about a second, and the dtype. The forked JVM gets the test JVM's memory limits
 * (ND4J's arrays live off-heap, capped by JavaCPP's {@code maxbytes}) and logs warnings only, so
 * that ND4J's start-up lines do not break into JMH's output. ND4J's OpenMP threads and the
 * kernels' common fork-join pool are left at their defaults (all cores).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Xmx3g",
            "-Dorg.bytedeco.javacpp.maxbytes=6g",
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=10g",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
        })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class KernelBenchmark {
    /** Seed of every benchmark's data: runs compare like with like. */
    static final long SEED = 42;

    /** {@code float32} or {@code float64}. */
    @Param("float32")
    public String dtype;

    /** The parsed {@link #dtype}. */
    DType dtype() {
        return DType.parse(dtype);
    }
}
