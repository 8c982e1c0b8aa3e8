package dev.saekit.onnx.text;

import java.lang.management.ManagementFactory;

/**
 * What a {@link TokenHarvest#run()} did: the harvest's state at the end, how many rows an earlier
 * run had finished already, and this run's wall-clock and process CPU seconds.
 */
public record HarvestResult(HarvestState state, long resumedRows, double seconds, double cpuSeconds) {

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

    /** The CPU time this process has used, all threads together, in nanoseconds (0 where the JVM cannot tell). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
