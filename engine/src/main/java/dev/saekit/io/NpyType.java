package dev.saekit.io;

import dev.saekit.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The element types {@link Npy} reads: a NumPy type code ({@code f4}, {@code u2}, ...) with its
 * byte order. Each is read into the narrowest saekit dtype that holds every value exactly:
 * float16, float32 and the 8- and 16-bit integers into float32; float64 and the 32-bit integers
 * into float64. 64-bit integers also go to float64, exact up to 2^53 in magnitude.
 */
enum NpyType {
    F2('f', 2, DType.FLOAT32),
    F4('f', 4, DType.FLOAT32),
    F8('f', 8, DType.FLOAT64),
    I1('i', 1, DType.FLOAT32),
    I2('i', 2, DType.FLOAT32),
    I4('i', 4, DType.FLOAT64),
    I8('i', 8, DType.FLOAT64),
    U1('u', 1, DType.FLOAT32),
    U2('u', 2, DType.FLOAT32),
    U4('u', 4, DType.FLOAT64),
    U8('u', 8, DType.FLOAT64);

    /** The descrs {@link #parse} accepts, for error messages. */
    static final String ACCEPTED = "'<f2', '<f4', '<f8', '|i1', '<i2', '<i4', '<i8', '|u1', '<u2', '<u4', '<u8'"
            + " (byte order '<' little, '>' big, '|' not applicable)";

    private final char kind;
    private final int size;
    private final DType target;

    NpyType(char kind, int size, DType target) {
        this.kind = kind;
        this.size = size;
        this.target = target;
    }

    int size() {
        return size;
    }

    /** The dtype of the array this type is read into. */
    DType target() {
        return target;
    }

    /** The type of {@code descr} such as {@code <f4}, or null if it is not one saekit reads. */
    static NpyType parse(String descr) {
        if (descr.length() < 3 || "<>|".indexOf(descr.charAt(0)) < 0) {
            return null;
        }
        String code = descr.substring(1);
        for (NpyType t : values()) {
            if (code.equals(String.valueOf(t.kind) + t.size)) {
                // '|' (no byte order) is what NumPy writes for one-byte types only
                return descr.charAt(0) == '|' && t.size > 1 ? null : t;
            }
        }
        return null;
    }

    /** The byte order of {@code descr}: big-endian for '>', little-endian otherwise. */
    static ByteOrder byteOrder(String descr) {
        return descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Reads one element of this type from {@code in} (whose order is set) as a double. */
    double readDouble(ByteBuffer in) {
        switch (this) {
            case F2:
                return Float16.toFloat(in.getShort());
            case F4:
                return in.getFloat();
            case F8:
                return in.getDouble();
            case I1:
                return in.get();
            case I2:
                return in.getShort();
            case I4:
                return in.getInt();
            case I8:
                return in.getLong();
            case U1:
                return in.get() & 0xFF;
            case U2:
                return in.getShort() & 0xFFFF;
            case U4:
                return in.getInt() & 0xFFFF_FFFFL;
            case U8:
                return unsignedToDouble(in.getLong());
            default:
                throw new AssertionError(this);
        }
    }

    /** An unsigned 64-bit value as the nearest double. */
    private static double unsignedToDouble(long v) {
        if (v >= 0) {
            return v;
        }
        // halve (keeping the low bit so rounding stays correct), convert, double
        return ((v >>> 1) | (v & 1)) * 2.0;
    }
}
