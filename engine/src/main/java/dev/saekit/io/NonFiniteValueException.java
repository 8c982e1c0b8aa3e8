package dev.saekit.io;

import java.nio.file.Path;

/**
 * A NaN or an infinity in a data file: the message names the file (and member or tensor), the row
 * within it and the column, and the index in the stored array when axes were flattened, so the
 * bad row can be found and fixed at its source. It is an {@link IllegalArgumentException} like the
 * errors of {@link dev.saekit.data.InMemoryDataset}.
 */
public final class NonFiniteValueException extends DataValueException {

    /** {@code indexText} locates the value in the stored array, e.g. {@code " (index [1, 2, 0] of shape [2, 3, 256])"}, or is empty. */
    NonFiniteValueException(String source, Path file, long row, long column, String indexText, double value) {
        super(
                where(source, value, row, column, indexText) + "; remove or impute such rows before training",
                file,
                row,
                column,
                value);
    }
}
