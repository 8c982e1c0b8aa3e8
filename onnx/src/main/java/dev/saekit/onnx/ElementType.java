package dev.saekit.onnx;

import java.util.Locale;

/** The element type of an ONNX tensor ({@code TensorProto.DataType}); {@link #UNDEFINED} when a model does not say. */
public enum ElementType {
    UNDEFINED(0),
    FLOAT(1),
    UINT8(2),
    INT8(3),
    UINT16(4),
    INT16(5),
    INT32(6),
    INT64(7),
    STRING(8),
    BOOL(9),
    FLOAT16(10),
    DOUBLE(11),
    UINT32(12),
    UINT64(13),
    COMPLEX64(14),
    COMPLEX128(15),
    BFLOAT16(16),
    FLOAT8E4M3FN(17),
    FLOAT8E4M3FNUZ(18),
    FLOAT8E5M2(19),
    FLOAT8E5M2FNUZ(20),
    UINT4(21),
    INT4(22),
    FLOAT4E2M1(23);

    private final int code;

    ElementType(int code) {
        this.code = code;
    }

    /** The number ONNX files use for this type. */
    public int code() {
        return code;
    }

    /** The type with ONNX number {@code code}; {@link #UNDEFINED} for a number this release does not know. */
    public static ElementType fromCode(long code) {
        for (ElementType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNDEFINED;
    }

    /** {@code float}, {@code int64}, ...: the names ONNX tools print. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
