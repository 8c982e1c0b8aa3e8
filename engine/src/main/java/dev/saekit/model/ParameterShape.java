package dev.saekit.model;

import java.util.Arrays;

/**
 * One parameter or buffer a model of some {@link ModelSpec} holds, described without allocating it:
 * its state-dict name, shape, bytes per element and whether the optimiser trains it. See
 * {@link ModelSpec#parameterShapes()}.
 */
public record ParameterShape(String name, long[] shape, int elementBytes, boolean trainable) {

    public ParameterShape {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Elements, saturating at {@code Long.MAX_VALUE} (a shape from an untrusted file may overflow). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = d != 0 && n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
        }
        return n;
    }

    /** Bytes, saturating at {@code Long.MAX_VALUE}. */
    public long bytes() {
        long n = elements();
        return n > Long.MAX_VALUE / elementBytes ? Long.MAX_VALUE : n * elementBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterShape p
                && name.equals(p.name)
                && Arrays.equals(shape, p.shape)
                && elementBytes == p.elementBytes
                && trainable == p.trainable;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (elementBytes == 8 ? "" : "") + (trainable ? "" : " (buffer)");
    }
}
