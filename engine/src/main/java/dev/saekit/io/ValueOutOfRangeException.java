package dev.saekit.io;

import java.nio.file.Path;

/**
 * A finite value of a data file that the dtype it is read into cannot hold: a float64 beyond
 * float32's range (about 3.4e38) read as float32 would become an infinity. The message names the
 * value as stored and where it is, like {@link NonFiniteValueException}.
 */
public final class ValueOutOfRangeException extends DataValueException {

    ValueOutOfRangeException(
            String source, Path file, long row, long column, String indexText, double value, String target) {
        super(
                where(source, value, row, column, indexText) + ", beyond the range of " + target
                        + " (largest magnitude " + Float.MAX_VALUE + "); rescale the data, or read it as float64",
                file,
                row,
                column,
                value);
    }
}
