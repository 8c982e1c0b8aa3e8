package dev.saekit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of {@code saekit} with its exit code and captured output. */
record CliRun(int exitCode, String out, String err, CommandLine commandLine) {

    static CliRun of(String... args) {
        CommandLine cli = SaekitCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString(), cli);
    }

    List<String> errLines() {
        return err.lines().toList();
    }

    /** The train command object of this run (to look at the model it trained). */
    TrainCommand train() {
        return (TrainCommand) commandLine.getSubcommands().get("train").getCommand();
    }
}
