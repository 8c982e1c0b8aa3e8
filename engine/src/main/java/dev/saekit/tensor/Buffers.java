package dev.saekit.tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scratch arrays reused from step to step. A caller asks for a named buffer of a given shape
 * and gets the same array back as long as the shape does not change, so a training step
 * allocates nothing once its first batch has been seen. A short last batch gets its own
 * array, kept beside the full-size one, so alternating shapes do not reallocate either.
 *
 * <p>The contents of a buffer are whatever the last user left in it; callers overwrite them.
 */
public final class Buffers {
    /** Shapes kept per name: the full batch and a short last batch. */
    private static final int SLOTS = 2;

    private final DType dtype;
    private final Map<String, INDArray[]> arrays = new HashMap<>();

    public Buffers(DType dtype) {
        this.dtype = dtype;
    }

    public DType dtype() {
        return dtype;
    }

    /** The buffer {@code name} with {@code shape}, allocated (zeroed) on first use. */
    public INDArray get(String name, long... shape) {
        INDArray[] slots = arrays.computeIfAbsent(name, k -> new INDArray[SLOTS]);
        for (int i = 0; i < SLOTS; i++) {
            if (slots[i] != null && Arrays.equals(slots[i].shape(), shape)) {
                if (i > 0) { // most recently used first
                    INDArray hit = slots[i];
                    System.arraycopy(slots, 0, slots, 1, i);
                    slots[0] = hit;
                }
                return slots[0];
            }
        }
        System.arraycopy(slots, 0, slots, 1, SLOTS - 1);
        slots[0] = Tensors.zeros(dtype, shape);
        return slots[0];
    }

    /** Drops every buffer (for example after the model changed dtype or size). */
    public void clear() {
        arrays.clear();
    }
}
