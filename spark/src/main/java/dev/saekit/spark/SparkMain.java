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
        CommandLine spark = new CommandLine(new SparkCommand());
        spark.registerConverter(java.nio.file.Path.class, new dev.saekit.cli.PathConverter());
        SparkHarvestCommand.acceptUris(spark.getSubcommands().get("harvest"));
        cli.addSubcommand("spark", spark);
        return cli;
    }
}
