package dev.saekit.io;

import dev.saekit.tensor.DType;

/**
 * The libraries that save a BatchTopK threshold keep a code when it is strictly above it
 * ({@code relu_pre * (relu_pre > threshold)}); saekit's BatchTopK keeps a code when it is at least
 * its running threshold. For values of one floating type the two rules agree exactly when saekit's
 * threshold is the next value of that type above the library's: {@code v > t} if and only if
 * {@code v >= nextUp(t)}. Import stores {@link #above}, export writes {@link #below}, so a round trip
 * gives back the same threshold and the same codes.
 */
final class StrictThreshold {
    private StrictThreshold() {}

    /** saekit's running threshold, computing in {@code dtype}, for a library threshold {@code t} ({@code v > t}). */
    static double above(double t, DType dtype) {
        return dtype == DType.FLOAT32 ? Math.nextUp((float) t) : Math.nextUp(t);
    }

    /**
     * The library threshold for saekit's running threshold {@code tau} ({@code v >= tau}) where the
     * compared values are of type {@code values}: the largest value of that type below {@code tau}
     * (for a float32 file, float32 even if the model computes in float64).
     */
    static double below(double tau, DType values) {
        if (values == DType.FLOAT64) {
            return Math.nextDown(tau);
        }
        float f = (float) tau;
        return f >= tau ? Math.nextDown(f) : f;
    }
}
