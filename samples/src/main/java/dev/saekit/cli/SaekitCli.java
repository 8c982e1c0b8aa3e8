package dev.saekit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code saekit}: sparse autoencoders from the command line. Run {@code saekit --help}. */
@Command(name = "saekit", mixinStandardHelpOptions = true, versionProvider = SaekitCli.Version.class,
        description = "Sparse autoencoders and dictionary learning on the JVM.",
        subcommands = {TrainCommand.class, BenchCommand.class, EncodeCommand.class, ExportCommand.class, ImportCommand.class, DataInfoCommand.class,
            ExtractOcrCommand.class, OnnxInfoCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:bad input data or a file that cannot be read or written",
            "2:bad command line (unknown option, bad option value)", "3:training diverged"})
public final class SaekitCli implements Runnable {
    /** Exit code of a bad data or output file. */
    static final int EXIT_INPUT = 1;
    /** Exit code of a bad command line: picocli's own, used for bad option values too. */
    static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    /** Exit code of a run that diverged. */
    static final int EXIT_DIVERGED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SaekitCli()).execute(args));
    }

    /** Without a subcommand: the list of subcommands. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The project version, from {@code version.properties} (filled in by Maven). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = SaekitCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"saekit " + p.getProperty("version", "(unknown version)")};
        }
    }
}
