package dev.saekit.io;

/** IEEE 754 binary16 ("half", NumPy's {@code float16}, safetensors' F16), as every reader of such data converts it. */
public final class Float16 {
    private Float16() {}

    /** The float32 value of the binary16 {@code bits}, exact (every half value is a float). */
    public static float toFloat(short bits) {
        int h = bits & 0xFFFF;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f; // zero and subnormals
        } else if (exponent == 0x1F) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = Float.intBitsToFloat(((exponent - 15 + 127) << 23) | (mantissa << 13));
        }
        return (h & 0x8000) != 0 ? -magnitude : magnitude;
    }
}
