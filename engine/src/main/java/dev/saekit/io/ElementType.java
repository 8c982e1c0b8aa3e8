package dev.saekit.io;

import dev.saekit.tensor.DType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element type of an array as a file stores it. The engine computes in float32 or float64, so
 * each type is read into the narrowest of the two that holds every value exactly, the rule
 * {@link Npy} follows: bool, the 8- and 16-bit integers, float16, bfloat16 and float32 into float32;
 * the 32-bit integers and float64 into float64. 64-bit integers also go to float64, exact up to
 * 2^53 in magnitude; {@link SafetensorsFile#readLongs} keeps them exact.
 *
 * <p>The constants are declared in the order of the safetensors library's {@code Dtype} enum, which
 * orders the tensors of the files it writes (largest first).
 */
public enum ElementType {
    BOOL("bool", "BOOL", 1, DType.FLOAT32),
    UINT8("uint8", "U8", 1, DType.FLOAT32),
    INT8("int8", "I8", 1, DType.FLOAT32),
    INT16("int16", "I16", 2, DType.FLOAT32),
    UINT16("uint16", "U16", 2, DType.FLOAT32),
    FLOAT16("float16", "F16", 2, DType.FLOAT32),
    BFLOAT16("bfloat16", "BF16", 2, DType.FLOAT32),
    INT32("int32", "I32", 4, DType.FLOAT64),
    UINT32("uint32", "U32", 4, DType.FLOAT64),
    FLOAT32("float32", "F32", 4, DType.FLOAT32),
    FLOAT64("float64", "F64", 8, DType.FLOAT64),
    INT64("int64", "I64", 8, DType.FLOAT64),
    UINT64("uint64", "U64", 8, DType.FLOAT64);

    /** The safetensors dtype strings {@link #ofSafetensors} accepts, for error messages. */
    static final String SAFETENSORS_ACCEPTED =
            Arrays.stream(values()).map(t -> t.safetensorsName).collect(Collectors.joining(", "));

    private final String label;
    private final String safetensorsName;
    private final int size;
    private final DType readDType;

    ElementType(String label, String safetensorsName, int size, DType readDType) {
        this.label = label;
        this.safetensorsName = safetensorsName;
        this.size = size;
        this.readDType = readDType;
    }

    /** The NumPy name: {@code float32}, {@code int64}, {@code bfloat16}, {@code bool}. */
    public String label() {
        return label;
    }

    /** The safetensors dtype string: {@code F32}, {@code I64}, {@code BF16}, {@code BOOL}. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The dtype a raw read returns for this type. */
    public DType readDType() {
        return readDType;
    }

    /** True for bool and the integer types. */
    public boolean isInteger() {
        return this != FLOAT16 && this != BFLOAT16 && this != FLOAT32 && this != FLOAT64;
    }

    /**
     * Whether a value of this type can be NaN, infinite, or beyond the range of {@code target}: the
     * floating types only (the largest 64-bit integer, 1.8e19, is far inside float32's range), and
     * only float64 can exceed float32's.
     */
    boolean needsCheck() {
        return !isInteger();
    }

    /**
     * Decodes {@code count} elements from {@code in} (whose byte order is set) into
     * {@code out[off..]} as doubles, advancing {@code in}: exact for every type but the 64-bit
     * integers above 2^53 in magnitude, which round to the nearest double.
     */
    void decode(ByteBuffer in, double[] out, int off, int count) {
        int start = in.position();
        switch (this) {
            case FLOAT32: {
                java.nio.FloatBuffer f = in.asFloatBuffer();
                for (int i = 0; i < count; i++) {
                    out[off + i] = f.get(i);
                }
                break;
            }
            case FLOAT64:
                in.asDoubleBuffer().get(out, off, count);
                break;
            case UINT8:
                for (int i = 0; i < count; i++) {
                    out[off + i] = in.get(start + i) & 0xFF;
                }
                break;
            case FLOAT16: {
                java.nio.ShortBuffer h = in.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[off + i] = Float16.toFloat(h.get(i));
                }
                break;
            }
            default:
                for (int i = 0; i < count; i++) {
                    out[off + i] = readDouble(in);
                }
                return;
        }
        in.position(start + count * size);
    }

    /** The type of safetensors dtype string {@code name}, or null if saekit does not read it. */
    static ElementType ofSafetensors(String name) {
        for (ElementType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The type of a {@code .npy} descr such as {@code <f4}; the descr must be one {@link Npy} reads. */
    static ElementType ofNpy(String descr) {
        switch (NpyType.parse(descr)) {
            case F2:
                return FLOAT16;
            case F4:
                return FLOAT32;
            case F8:
                return FLOAT64;
            case I1:
                return INT8;
            case I2:
                return INT16;
            case I4:
                return INT32;
            case I8:
                return INT64;
            case U1:
                return UINT8;
            case U2:
                return UINT16;
            case U4:
                return UINT32;
            case U8:
                return UINT64;
            default:
                throw new AssertionError(descr);
        }
    }

    /** One element from {@code in} (whose byte order is set) as a double; a bool is 1 for any non-zero byte. */
    double readDouble(ByteBuffer in) {
        switch (this) {
            case BOOL:
                return in.get() != 0 ? 1 : 0;
            case UINT8:
                return in.get() & 0xFF;
            case INT8:
                return in.get();
            case INT16:
                return in.getShort();
            case UINT16:
                return in.getShort() & 0xFFFF;
            case FLOAT16:
                return Float16.toFloat(in.getShort());
            case BFLOAT16:
                return Float.intBitsToFloat((in.getShort() & 0xFFFF) << 16);
            case INT32:
                return in.getInt();
            case UINT32:
                return in.getInt() & 0xFFFF_FFFFL;
            case FLOAT32:
                return in.getFloat();
            case FLOAT64:
                return in.getDouble();
            case INT64:
                return in.getLong();
            case UINT64:
                return unsignedToDouble(in.getLong());
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * One integer element from {@code in} exactly: a bool is 0 or 1, a uint64 above
     * {@link Long#MAX_VALUE} comes back as its two's-complement bit pattern (read it with
     * {@link Long#toUnsignedString(long)}).
     */
    long readLong(ByteBuffer in) {
        switch (this) {
            case BOOL:
                return in.get() != 0 ? 1 : 0;
            case UINT8:
                return in.get() & 0xFF;
            case INT8:
                return in.get();
            case INT16:
                return in.getShort();
            case UINT16:
                return in.getShort() & 0xFFFF;
            case INT32:
                return in.getInt();
            case UINT32:
                return in.getInt() & 0xFFFF_FFFFL;
            case INT64:
            case UINT64:
                return in.getLong();
            default:
                throw new IllegalStateException(label + " is not an integer type");
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

    @Override
    public String toString() {
        return label;
    }
}
