package dev.saekit.cli;

import dev.saekit.train.InsufficientMemoryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/** Option checks shared by the commands: every failure becomes one usage error naming the option. */
final class Cli {
    private Cli() {}

    /** {@code parser.apply(value)}, its error prefixed with the option's name. */
    static <T> T parse(String option, String value, Function<String, T> parser) throws CliException {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, option + ": " + e.getMessage());
        }
    }

    static void require(boolean ok, String message) throws CliException {
        if (!ok) {
            throw new CliException(SaekitCli.EXIT_USAGE, message);
        }
    }

    /** Builds something whose constructor validates its arguments; a rejection is a usage error. */
    static <T> T build(Supplier<T> constructor) throws CliException {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage());
        }
    }

    /**
     * A progress bar of {@code max} steps named {@code task} on the error stream, or null when
     * {@code off} or when there is no terminal to draw it on.
     */
    static me.tongfei.progressbar.ProgressBar progressBar(String task, long max, boolean off) {
        if (off || System.console() == null) {
            return null;
        }
        return new me.tongfei.progressbar.ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setUpdateIntervalMillis(200)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build();
    }

    /** A command's work, which may fail with a usage or input error. */
    interface Body {
        int run() throws CliException, IOException;
    }

    /**
     * Runs {@code body}: the one place where a command's failure becomes one line
     * {@code saekit: error: ...} on its error stream (control characters escaped, so a file's names
     * cannot break the line) and an exit code: the CliException's own, 4 for a run that does not
     * fit in memory (refused before training, or an allocation refused on the way, however ND4J
     * wraps it), else 1 for data and files.
     */
    static int run(CommandSpec spec, Body body) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return body.run();
        } catch (CliException e) {
            err.println("saekit: error: " + oneLine(e.getMessage()));
            return e.exitCode();
        } catch (NoSuchFileException e) {
            err.println("saekit: error: "
                    + (e.getReason() == null
                            ? "file not found: " + oneLine(e.getFile())
                            : oneLine(e.getFile()) + ": " + oneLine(e.getReason())));
            return SaekitCli.EXIT_INPUT;
        } catch (InsufficientMemoryException e) {
            err.println("saekit: error: not enough memory: " + oneLine(e.getMessage()));
            return SaekitCli.EXIT_MEMORY;
        } catch (OutOfMemoryError e) {
            return outOfMemory(err, e);
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            if (OutOfMemory.in(e) != null) { // ND4J wraps JavaCPP's refusal
                return outOfMemory(err, OutOfMemory.in(e));
            }
            // bad data met while streaming (a NaN named by file, row and column) among them
            err.println("saekit: error: " + oneLine(e.getMessage()));
            return SaekitCli.EXIT_INPUT;
        } catch (RuntimeException e) { // a bug: still one line, with the exception's class to report it by
            if (OutOfMemory.in(e) != null) {
                return outOfMemory(err, OutOfMemory.in(e));
            }
            err.println("saekit: error: unexpected " + e.getClass().getName() + ": " + oneLine(e.getMessage()));
            return SaekitCli.EXIT_INPUT;
        } finally {
            err.flush();
            spec.commandLine().getOut().flush();
        }
    }

    private static int outOfMemory(PrintWriter err, OutOfMemoryError e) {
        err.println("saekit: error: " + oneLine(OutOfMemory.describe(e)));
        return SaekitCli.EXIT_MEMORY;
    }

    /** {@code message} with line breaks and other control characters escaped. */
    static String oneLine(String message) {
        StringBuilder sb = new StringBuilder();
        for (char c : String.valueOf(message).toCharArray()) {
            sb.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
