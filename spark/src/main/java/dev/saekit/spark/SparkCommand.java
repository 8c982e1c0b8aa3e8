package dev.saekit.spark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code saekit spark}: the commands that run on a Spark cluster. */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        description = {
            "Run saekit's work on Apache Spark: each command takes the single-machine command's options and writes its",
            "outputs, with --master (local[N], spark://host:port, yarn, k8s://...) saying where. See docs/spark.md."
        },
        subcommands = {
            SparkHarvestCommand.class,
            SparkTrainCommand.class,
            SparkEncodeCommand.class,
            SparkStatsCommand.class
        })
public final class SparkCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a spark command: harvest, train, encode, stats");
    }
}
