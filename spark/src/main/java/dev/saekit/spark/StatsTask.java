package dev.saekit.spark;

import dev.saekit.cli.CliException;
import dev.saekit.cli.DashboardCommand;
import dev.saekit.cli.DashboardInputs;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import org.apache.spark.api.java.function.Function;

/**
 * One range of rows of a {@code saekit spark stats} on an executor: opens the SAE, the rows and
 * their contexts as {@code saekit dashboard} does, and returns the statistics of the rows {@code
 * [from, to)} as bytes (so Spark ships them without Kryo) and the seconds it took.
 */
record StatsTask(HashMap<String, Object> options) implements Function<long[], StatsTask.Part> {
    /** A part's statistics ({@code StatisticsPart.toBytes}) and its task's seconds. */
    record Part(byte[] bytes, double seconds) implements Serializable {}

    @Override
    public Part call(long[] range) throws Exception {
        long t0 = System.nanoTime();
        DashboardCommand command = CommandOptions.apply(options, new DashboardCommand());
        try (DashboardInputs in = command.open()) {
            byte[] bytes = RangeScan.part(in, range[0], range[1]).toBytes();
            return new Part(bytes, (System.nanoTime() - t0) / 1e9);
        } catch (CliException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
