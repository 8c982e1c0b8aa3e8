package dev.saekit.io;

/**
 * A choice of array or layout that does not fit a data file: a name missing where the file holds
 * several arrays (the message lists them), a name the file does not hold, a name for a format with
 * one unnamed array, or more row axes than the array has. The message says what the file holds.
 */
public final class ArraySelectionException extends IllegalArgumentException {
    ArraySelectionException(String message) {
        super(message);
    }
}
