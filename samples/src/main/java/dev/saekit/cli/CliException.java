package dev.saekit.cli;

/** An error the command reports as one line {@code saekit: error: <message>} with its exit code. */
final class CliException extends Exception {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
