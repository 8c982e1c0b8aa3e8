package dev.saekit.cli;

import dev.saekit.io.ArraySelectionException;
import dev.saekit.io.DataTooLargeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * How a failure to read data becomes the one line and exit code of a command: the engine's
 * messages already name the file, the place and what to do, so they are passed on as they are,
 * never an exception's class name or a stack trace.
 * <ul>
 *   <li>exit 2 (usage): a missing, unknown or superfluous {@code --name}, more {@code --row-axes}
 *       than the array has ({@link ArraySelectionException});</li>
 *   <li>exit 4 (memory): data refused before allocation because it cannot be held
 *       ({@link DataTooLargeException});</li>
 *   <li>exit 1 (input): everything else: a missing or unreadable file, a path that is not a regular
 *       file, a malformed file, a bad value (NaN, infinity, out of range), shards of different
 *       widths.</li>
 * </ul>
 */
final class DataErrors {
    private DataErrors() {}

    /** The CLI error for {@code e}, met reading {@code location}; {@code nameGiven} says whether --name was used. */
    static CliException of(Exception e, String location, boolean nameGiven) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return of(u.getCause(), location, nameGiven);
        }
        if (e instanceof NoSuchFileException n) {
            return new CliException(
                    SaekitCli.EXIT_INPUT, "file not found: " + (n.getFile() == null ? location : n.getFile()));
        }
        if (e instanceof AccessDeniedException a) {
            return new CliException(
                    SaekitCli.EXIT_INPUT,
                    "cannot read " + (a.getFile() == null ? location : a.getFile()) + ": permission denied");
        }
        if (e instanceof ArraySelectionException) {
            return new CliException(SaekitCli.EXIT_USAGE, e.getMessage() + (nameGiven ? "" : hint(e.getMessage())));
        }
        if (e instanceof DataTooLargeException) {
            return new CliException(SaekitCli.EXIT_MEMORY, e.getMessage());
        }
        if (e instanceof FileSystemException f) {
            return new CliException(
                    SaekitCli.EXIT_INPUT,
                    "cannot read " + (f.getFile() == null ? location : f.getFile()) + ": "
                            + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason()));
        }
        if (e instanceof IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return new CliException(
                    SaekitCli.EXIT_INPUT, e.getMessage() == null ? "cannot read " + location : e.getMessage());
        }
        return new CliException(
                SaekitCli.EXIT_INPUT,
                "cannot read " + location + ": unexpected " + e.getClass().getName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    private static CliException of(Throwable cause, String location, boolean nameGiven) {
        return cause instanceof Exception e
                ? of(e, location, nameGiven)
                : new CliException(SaekitCli.EXIT_INPUT, "cannot read " + location + ": " + cause);
    }

    /** " (use --name NAME)" after a list of arrays to choose from. */
    private static String hint(String message) {
        return message.contains("choose one by name") ? " (use --name NAME)" : "";
    }
}
