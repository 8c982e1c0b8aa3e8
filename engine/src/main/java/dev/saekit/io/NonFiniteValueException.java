package dev.saekit.io;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A NaN or an infinity met while a streaming data set read its rows: the message names the file,
 * the row within that file and the column, so the bad row can be found and fixed at its source.
 * It is an {@link IllegalArgumentException} like the errors of {@link InMemoryDataset}, which
 * finds such values when it is made.
 */
public final class NonFiniteValueException extends IllegalArgumentException {
    private final transient Path file;
    private final long row;
    private final int column;
    private final double value;

    /** {@code rowText} locates the row further, e.g. {@code " (index [1, 2] of shape (2, 3, 256))"}, or is empty. */
    NonFiniteValueException(Path file, long row, String rowText, int column, double value) {
        super(Objects.requireNonNull(file, "file") + " has " + (Double.isNaN(value) ? "NaN" : String.valueOf(value))
                + " at row " + row + rowText + ", column " + column
                + "; remove or impute such rows before training");
        this.file = file;
        this.row = row;
        this.column = column;
        this.value = value;
    }

    /** The file that holds the value. */
    public Path file() {
        return file;
    }

    /** The row within {@link #file()}, counted from 0 after flattening to rows of the last dimension. */
    public long row() {
        return row;
    }

    /** The column within the row, counted from 0. */
    public int column() {
        return column;
    }

    /** The value itself: NaN or an infinity. */
    public double value() {
        return value;
    }
}
