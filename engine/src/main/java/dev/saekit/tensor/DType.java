package dev.saekit.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;

/** The floating-point precision of a model and of the arrays it computes with. */
public enum DType {
    FLOAT32("float32", DataType.FLOAT, Math.ulp(1.0f)),
    FLOAT64("float64", DataType.DOUBLE, Math.ulp(1.0));

    private final String label;
    private final DataType nd4j;
    private final double machineEpsilon;

    DType(String label, DataType nd4j, double machineEpsilon) {
        this.label = label;
        this.nd4j = nd4j;
        this.machineEpsilon = machineEpsilon;
    }

    /** The name NumPy and PyTorch use: {@code float32} or {@code float64}. */
    public String label() {
        return label;
    }

    public DataType nd4j() {
        return nd4j;
    }

    /** The gap between 1 and the next representable value ({@code torch.finfo(dtype).eps}). */
    public double machineEpsilon() {
        return machineEpsilon;
    }

    /** The dtype of an ND4J array, or an error if it is neither float32 nor float64. */
    public static DType of(DataType type) {
        for (DType d : values()) {
            if (d.nd4j == type) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "unsupported array dtype " + type + "; saekit computes in float32 or float64");
    }

    /** Parses {@code float32}/{@code f32}/{@code float}, {@code float64}/{@code f64}/{@code double}. */
    public static DType parse(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "float32":
            case "f32":
            case "float":
                return FLOAT32;
            case "float64":
            case "f64":
            case "double":
                return FLOAT64;
            default:
                throw new IllegalArgumentException("unknown dtype '" + name + "'; accepted: "
                        + Arrays.stream(values()).map(DType::label).collect(Collectors.joining(", ")));
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
