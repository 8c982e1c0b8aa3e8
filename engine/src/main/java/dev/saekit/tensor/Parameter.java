package dev.saekit.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A named tensor of model state with, when trainable, a gradient of the same shape.
 *
 * <p>Names follow the state-dict keys of the reference implementation (for example
 * {@code encoder.final_block.0.weight}), so weights move between saekit and Python by name.
 * Buffers (running statistics, a frozen multiplier, candidate points) are parameters that are
 * not trainable: they are saved and loaded but never updated by an optimiser.
 *
 * <p>The value array is updated in place, so views and fused caches can hold on to it; every
 * change made through {@link #assign} or reported through {@link #markChanged()} bumps
 * {@link #version()}, which caches compare to stay consistent with the weights.
 */
public final class Parameter {
    private final String name;
    private final INDArray value;
    private final INDArray grad;
    private final boolean trainable;
    private long version;
    /** Set by {@link #zeroGrad()}: the zeros are written on the gradient's next use, or never. */
    private boolean gradZeroPending;
    /**
     * The sum of squares of each row of the gradient (a matrix's rows, or a vector's one row) as
     * recorded by the kernels that wrote it ({@link #recordGradRowSquares}); null once the gradient
     * has been handed out to anyone who may change it.
     */
    private double[] gradRowSquares;

    private Parameter(String name, INDArray value, boolean trainable) {
        this.name = name;
        this.value = value;
        this.trainable = trainable;
        this.grad = trainable ? value.ulike().assign(0) : null;
    }

    /** A trainable parameter holding {@code value} (not copied). */
    public static Parameter trainable(String name, INDArray value) {
        return new Parameter(name, value, true);
    }

    /** A buffer: saved state that no optimiser updates. */
    public static Parameter buffer(String name, INDArray value) {
        return new Parameter(name, value, false);
    }

    public String name() {
        return name;
    }

    public INDArray value() {
        return value;
    }

    /** The accumulated gradient; an error for buffers. */
    public INDArray grad() {
        requireGradient();
        if (gradZeroPending) {
            grad.assign(0);
            gradZeroPending = false;
        }
        gradRowSquares = null;
        return grad;
    }

    /**
     * Whether nothing has been accumulated into the gradient since {@link #zeroGrad()}: then a
     * backward pass may write its gradient with {@link #gradToOverwrite()} instead of adding to zeros.
     */
    public boolean gradIsZero() {
        return gradZeroPending;
    }

    /**
     * The gradient array, for a caller that writes EVERY element of it (the first contribution of a
     * step, when {@link #gradIsZero()}): the zeros of {@link #zeroGrad()} are then never written.
     * An error for buffers.
     */
    public INDArray gradToOverwrite() {
        requireGradient();
        gradZeroPending = false;
        gradRowSquares = null;
        return grad;
    }

    /**
     * Records the sum of squares of each row of the gradient, computed by a backward kernel as it
     * wrote the whole gradient through {@link #gradToOverwrite()}, so that gradient clipping need
     * not read it again. Valid until the gradient is next handed out by {@link #grad()} or
     * {@link #gradToOverwrite()}, or zeroed; a kernel that adds to the gradient keeps it valid
     * through {@link #gradToAddKeepingRecord()}.
     */
    public void recordGradRowSquares(double[] rowSquares) {
        requireGradient();
        gradRowSquares = rowSquares;
    }

    /** The per-row sums of squares recorded by {@link #recordGradRowSquares} and still valid, or null. */
    public double[] recordedGradRowSquares() {
        return gradRowSquares;
    }

    /**
     * The gradient's sum of squares from the valid record (the rows' sums added in order), or NaN
     * when there is none (then read the gradient).
     */
    public double recordedGradSquaredSum() {
        if (gradRowSquares == null) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : gradRowSquares) {
            sum += v;
        }
        return sum;
    }

    /**
     * The gradient, for a kernel that adds to it and brings every changed row's entry of
     * {@link #recordedGradRowSquares()} up to date: the record stays valid. Only while it is.
     */
    public INDArray gradToAddKeepingRecord() {
        requireGradient();
        if (gradRowSquares == null) {
            throw new IllegalStateException("'" + name + "' has no valid record of its gradient's squares to keep");
        }
        return grad;
    }

    private void requireGradient() {
        if (grad == null) {
            throw new IllegalStateException("'" + name + "' is a buffer and has no gradient");
        }
    }

    public boolean isTrainable() {
        return trainable;
    }

    public long[] shape() {
        return value.shape();
    }

    public DType dtype() {
        return DType.of(value.dataType());
    }

    /** Increments on every change of the value made through this class or reported to it. */
    public long version() {
        return version;
    }

    /** Records an in-place change of {@link #value()} made elsewhere (an optimiser step). */
    public void markChanged() {
        version++;
    }

    /**
     * Copies {@code source} into the value, cast to this parameter's dtype. The shapes must be
     * equal; the error names both.
     */
    public void assign(INDArray source) {
        if (!Arrays.equals(source.shape(), value.shape())) {
            throw new IllegalArgumentException("cannot load '" + name + "': expected shape "
                    + Arrays.toString(value.shape()) + ", got " + Arrays.toString(source.shape()));
        }
        value.assign(source.dataType() == value.dataType() ? source : source.castTo(value.dataType()));
        version++;
    }

    /**
     * Sets the gradient to zero (no-op for buffers). The zeros are written when the gradient is
     * next read through {@link #grad()}, or never, when a backward pass overwrites it whole.
     */
    public void zeroGrad() {
        if (grad != null) {
            gradZeroPending = true;
            gradRowSquares = null;
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(value.shape()) + (trainable ? "" : " (buffer)");
    }
}
