package dev.saekit.cli;

/** An error the command reports as one line {@code saekit: error: <message>} with its exit code. */
public final class CliException extends Exception {
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
