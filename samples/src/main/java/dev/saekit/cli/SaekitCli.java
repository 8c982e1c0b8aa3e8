package dev.saekit.cli;

import dev.saekit.tensor.MemoryBudget;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code saekit}: sparse autoencoders from the command line. Run {@code saekit --help}. */
@Command(
        name = "saekit",
        mixinStandardHelpOptions = true,
        versionProvider = SaekitCli.Version.class,
        description = "Sparse autoencoders and dictionary learning on the JVM.",
        subcommands = {
            TrainCommand.class,
            BenchCommand.class,
            SweepCommand.class,
            EncodeCommand.class,
            ExportCommand.class,
            ImportCommand.class,
            DataInfoCommand.class,
            ExtractOcrCommand.class,
            EvaluateCommand.class,
            OnnxInfoCommand.class,
            HarvestCommand.class,
            DashboardCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:bad input data or a file that cannot be read or written",
            "2:bad command line (unknown option, bad option value)",
            "3:training diverged",
            "4:not enough memory for the run (refused before training, or an allocation refused)"
        })
public final class SaekitCli implements Runnable {
    /** Exit code of a bad data or output file. */
    public static final int EXIT_INPUT = 1;
    /** Exit code of a bad command line: picocli's own, used for bad option values too. */
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    /** Exit code of a run that diverged. */
    public static final int EXIT_DIVERGED = 3;
    /** Exit code of a run that does not fit in the memory this process may use. */
    public static final int EXIT_MEMORY = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs {@code saekit}. First, before ND4J loads, JavaCPP's native-memory limits are set from
     * the memory this process may use (unless given with {@code -D}), so that a run too large
     * fails with one line and exit code 4 instead of being killed by the kernel.
     */
    public static void main(String[] args) {
        MemoryBudget.limitJavaCppToAvailableMemory();
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line of {@code saekit}: a bad command line (an unknown option, a missing or
     * malformed value) is one line {@code saekit: error: ...} naming the option, with picocli's
     * suggestions and where to read more, and exit code 2.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SaekitCli());
        cli.registerConverter(java.nio.file.Path.class, new PathConverter());
        cli.setParameterExceptionHandler(SaekitCli::badCommandLine);
        return cli;
    }

    private static int badCommandLine(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()) {
            // the first unknown option (picocli lists its value too, as a second unknown argument)
            String first = u.getUnmatched().stream()
                    .filter(a -> a.startsWith("-"))
                    .findFirst()
                    .orElse(u.getUnmatched().get(0));
            message = (first.startsWith("-") ? "unknown option '" : "unexpected argument '") + first + "'";
            if (!u.getSuggestions().isEmpty()) {
                message += " (did you mean "
                        + String.join(
                                " or ", u.getSuggestions().stream().limit(3).toList()) + "?)";
            }
        }
        if (e instanceof CommandLine.MissingParameterException) {
            // picocli checks required options before it reports unknown ones: an unknown option (often the
            // misnamed required one, such as --model for import's --from) is the better first line
            String unknown = firstUnknownOption(cmd, args);
            if (unknown != null) {
                message = "unknown option '" + unknown + "' ("
                        + Cli.oneLine(e.getMessage()).replace("Missing required option", "missing required option")
                        + ")";
            }
        }
        cmd.getErr()
                .println("saekit: error: " + Cli.oneLine(message) + "; see "
                        + cmd.getCommandSpec().qualifiedName() + " --help");
        cmd.getErr().flush();
        return EXIT_USAGE;
    }

    /** The first argument after {@code cmd}'s own name that looks like an option {@code cmd} lacks, or null. */
    private static String firstUnknownOption(CommandLine cmd, String[] args) {
        int at = java.util.Arrays.asList(args).indexOf(cmd.getCommandName());
        for (int i = Math.max(at + 1, 0); i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                return null;
            }
            if (!arg.startsWith("--")) {
                continue;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            boolean known = cmd.getCommandSpec().findOption(name) != null
                    || (name.startsWith("--no-") && cmd.getCommandSpec().findOption("--" + name.substring(5)) != null)
                    || (name.startsWith("--no-")
                            && cmd.getCommandSpec().findOption("--[no-]" + name.substring(5)) != null);
            if (!known) {
                return name;
            }
        }
        return null;
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
