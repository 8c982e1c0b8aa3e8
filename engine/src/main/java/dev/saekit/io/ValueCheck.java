package dev.saekit.io;

import dev.saekit.tensor.DType;

/**
 * Checks raw values, as a file holds them, against the dtype they will be read into, before any
 * transformation: NaN and infinities are {@link NonFiniteValueException}s, float64 values that
 * float32 cannot hold {@link ValueOutOfRangeException}s. Integer types need no check: every integer
 * a file can hold is finite and inside float32's range (those above 2^24, or 2^53 in float64, round
 * to the nearest representable value, as NumPy's {@code astype} rounds them).
 */
final class ValueCheck {
    /** The largest magnitude that rounds to a finite float32 (2^128 - 2^103 rounds to infinity). */
    private static final double FLOAT32_LIMIT = Math.nextDown(0x1p128 - 0x1p103);

    private ValueCheck() {}

    /** Checks {@code values[0..n)}, the values at storage positions {@code first..first+n-1} of {@code array}. */
    static void check(StoredArray array, DType target, long first, double[] values, int n) {
        if (!array.type().needsCheck()) {
            return;
        }
        double limit =
                target == DType.FLOAT32 && array.type() == ElementType.FLOAT64 ? FLOAT32_LIMIT : Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(values[i]) <= limit)) { // NaN fails every comparison
                throw failure(array, target, first + i, values[i]);
            }
        }
    }

    /** The exception for {@code value} at storage position {@code position} of {@code array}. */
    static DataValueException failure(StoredArray array, DType target, long position, double value) {
        RowLayout layout = array.layout();
        long c = array.cIndex(position);
        long cols = Math.max(1, layout.cols());
        long row = c / cols;
        long col = c % cols;
        String index = layout.indexText(row, col);
        if (!Double.isFinite(value)) {
            return new NonFiniteValueException(array.source(), array.info().path(), row, col, index, value);
        }
        return new ValueOutOfRangeException(
                array.source(), array.info().path(), row, col, index, value, target.label());
    }

    /** Whether {@code value} passes the check for {@code type} read as {@code target}. */
    static boolean fits(ElementType type, DType target, double value) {
        if (!type.needsCheck()) {
            return true;
        }
        return Math.abs(value)
                <= (target == DType.FLOAT32 && type == ElementType.FLOAT64 ? FLOAT32_LIMIT : Double.MAX_VALUE);
    }
}
