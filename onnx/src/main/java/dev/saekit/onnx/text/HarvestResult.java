package dev.saekit.onnx.text;

import java.lang.management.ManagementFactory;

/**
 * What a {@link TokenHarvest#run()} did: the harvest's state at the end, how many rows an earlier
 * run had finished already, this run's wall-clock and process CPU seconds, and of those the
 * wall-clock seconds spent inside ONNX Runtime's forward ({@code forwardSeconds}) and in opening
 * its session, the model's one-off load ({@code loadSeconds}). The rest of the wall-clock time is
 * saekit's own work: reading and tokenizing the corpus, building the model's inputs, copying the
 * taps out, gathering rows into corpus order and writing the shards.
 */
public record HarvestResult(
        HarvestState state,
        long resumedRows,
        double seconds,
        double cpuSeconds,
        double forwardSeconds,
        double loadSeconds) {

    /** Rows in the harvest, all runs together. */
    public long rows() {
        return state.rows();
    }

    /** Rows this run wrote. */
    public long newRows() {
        return state.rows() - resumedRows;
    }

    /** Documents in the harvest. */
    public long documents() {
        return state.documents();
    }

    /** This run's rows per wall-clock second (0 when it wrote none). */
    public double tokensPerSecond() {
        return seconds > 0 ? newRows() / seconds : 0;
    }

    /** This run's rows per second of the process's CPU time, all threads together (0 when unknown). */
    public double tokensPerCpuSecond() {
        return cpuSeconds > 0 ? newRows() / cpuSeconds : 0;
    }

    /** saekit's own seconds: the run's wall-clock time less the model's load and its forward. */
    public double ownSeconds() {
        return Math.max(0, seconds - forwardSeconds - loadSeconds);
    }

    /**
     * saekit's share of this run's wall-clock time after the model's one-off load:
     * {@code ownSeconds / (seconds - loadSeconds)} (0 when the run took no time).
     */
    public double overheadShare() {
        double work = seconds - loadSeconds;
        return work > 0 ? ownSeconds() / work : 0;
    }

    /** The model's forward alone, in rows per second of ONNX Runtime's time (0 when unknown). */
    public double forwardTokensPerSecond() {
        return forwardSeconds > 0 ? newRows() / forwardSeconds : 0;
    }

    /** The CPU time this process has used, all threads together, in nanoseconds (0 where the JVM cannot tell). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
