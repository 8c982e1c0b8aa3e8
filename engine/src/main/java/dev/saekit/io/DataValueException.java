package dev.saekit.io;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A value of a data file that cannot be trained on, found before any transformation (centring,
 * conversion) so that the message names the value as the file holds it and where: the file (and
 * the member or tensor), the row and column of the matrix it was read as, and, when axes were
 * flattened, its index in the stored array. Raised when the value is read: while loading, scanning
 * or streaming.
 */
public abstract sealed class DataValueException extends IllegalArgumentException
        permits NonFiniteValueException, ValueOutOfRangeException {
    private final transient Path file;
    private final long row;
    private final long column;
    private final double value;

    DataValueException(String message, Path file, long row, long column, double value) {
        super(message);
        this.file = Objects.requireNonNull(file, "file");
        this.row = row;
        this.column = column;
        this.value = value;
    }

    /** "FILE has VALUE at row R, column C (index [...] of shape [...])": the start every message shares. */
    static String where(String source, double value, long row, long column, String indexText) {
        return source + " has " + (Double.isNaN(value) ? "NaN" : String.valueOf(value)) + " at row " + row + ", column "
                + column + indexText;
    }

    /** The file that holds the value. */
    public Path file() {
        return file;
    }

    /** The row of the matrix the file's array was read as (after flattening), counted from 0 within the file. */
    public long row() {
        return row;
    }

    /** The column within the row, counted from 0. */
    public long column() {
        return column;
    }

    /** The value as the file holds it. */
    public double value() {
        return value;
    }
}
