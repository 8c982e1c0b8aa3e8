package dev.saekit.io;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.MemoryBudget;

/**
 * Data that cannot be held where it was asked to go, refused before anything large is allocated:
 * a matrix with more values than one in-memory array holds, or rows wider than one batch row can
 * be. The message gives the sizes and what to do instead (stream it, or read it with other row
 * axes).
 */
public final class DataTooLargeException extends IllegalArgumentException {
    private final long rows;
    private final long cols;
    private final long bytes;

    DataTooLargeException(String message, long rows, long cols, long bytes) {
        super(message);
        this.rows = rows;
        this.cols = cols;
        this.bytes = bytes;
    }

    /** "N x M float32 = X GiB": the size of a matrix, saturating rather than overflowing. */
    static String size(long rows, long cols, DType dtype) {
        return rows + " x " + cols + " " + dtype + " = " + MemoryBudget.format(bytes(rows, cols, dtype));
    }

    static long bytes(long rows, long cols, DType dtype) {
        try {
            return Math.multiplyExact(Math.multiplyExact(rows, cols), dtype == DType.FLOAT32 ? 4L : 8L);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Rows of the matrix that was refused. */
    public long rows() {
        return rows;
    }

    /** Columns of the matrix that was refused. */
    public long cols() {
        return cols;
    }

    /** Its size in the dtype it was to be read into (Long.MAX_VALUE if that overflows). */
    public long bytes() {
        return bytes;
    }
}
