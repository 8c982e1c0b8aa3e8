package dev.saekit.spark;

import dev.saekit.cli.SaekitCli;
import dev.saekit.tensor.MemoryBudget;
import picocli.CommandLine;

/**
 * {@code java -jar spark/target/saekit-spark.jar}: the whole {@code saekit} command line with the
 * {@code spark} commands added ({@code saekit spark train --master URL ...}).
 */
public final class SparkMain {
    private SparkMain() {}

    public static void main(String[] args) {
        MemoryBudget.limitJavaCppToAvailableMemory();
        System.exit(commandLine().execute(args));
    }

    /** saekit's command line with {@code spark} and its subcommands. */
    public static CommandLine commandLine() {
        CommandLine cli = SaekitCli.commandLine();
        cli.addSubcommand("spark", new CommandLine(new SparkCommand()));
        return cli;
    }
}
