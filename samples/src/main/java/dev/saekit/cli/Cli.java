package dev.saekit.cli;

import java.util.function.Function;
import java.util.function.Supplier;

/** Option checks shared by the commands: every failure becomes one usage error naming the option. */
final class Cli {
    private Cli() {
    }

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
}
