package dev.saekit.golden;

import dev.saekit.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Compares computed tensors with the reference: relative error {@code max|a - b| / max(max|b|, 1e-3)}
 * over the whole tensor, within the tolerances the reference itself meets (SEMANTICS.md): 2e-5 for
 * float32 and 1e-12 for float64 cases.
 */
final class GoldenCheck {
    static final double F32_TOLERANCE = 2e-5;
    static final double F64_TOLERANCE = 1e-12;

    final double tolerance;
    final List<String> failures = new ArrayList<>();
    double worst;
    int compared;

    GoldenCheck(DType dtype) {
        this.tolerance = dtype == DType.FLOAT64 ? F64_TOLERANCE : F32_TOLERANCE;
    }

    void tensor(String what, INDArray actual, INDArray expected) {
        tensorWithin(what, actual, expected, tolerance);
    }

    /**
     * As {@link #tensor}, within {@code within} instead of the dtype's tolerance: for a value the
     * reference computed partly at a lower precision (the caller says why and how much).
     */
    void tensorWithin(String what, INDArray actual, INDArray expected, double within) {
        compared++;
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            failures.add(what + ": shape " + Arrays.toString(actual.shape()) + ", expected "
                    + Arrays.toString(expected.shape()));
            return;
        }
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] b = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (Double.isNaN(d)) {
                failures.add(what + ": NaN at flat index " + i);
                return;
            }
            maxDiff = Math.max(maxDiff, d);
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        record(what, maxDiff / Math.max(maxRef, 1e-3), within);
    }

    void scalar(String what, double actual, double expected) {
        scalarWithin(what, actual, expected, tolerance);
    }

    /** As {@link #scalar}, within {@code within} instead of the dtype's tolerance (see {@link #tensorWithin}). */
    void scalarWithin(String what, double actual, double expected, double within) {
        compared++;
        if (Double.isNaN(actual) && !Double.isNaN(expected)) {
            failures.add(what + ": NaN, expected " + expected);
            return;
        }
        record(what, Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-3), within);
    }

    void exact(String what, long actual, long expected) {
        compared++;
        if (actual != expected) {
            failures.add(what + ": " + actual + ", expected " + expected);
        }
    }

    void fail(String message) {
        failures.add(message);
    }

    private void record(String what, double err, double within) {
        worst = Math.max(worst, err);
        if (!(err <= within)) {
            failures.add(String.format(Locale.ROOT, "%s: relative error %.3g > %.1g", what, err, within));
        }
    }

    boolean passed() {
        return failures.isEmpty();
    }
}
