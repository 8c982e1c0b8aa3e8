package dev.saekit.kernel;

/**
 * Per-thread arrays that grow to the size asked for and are then reused: the row and chunk
 * buffers of the kernels, which run on the common fork-join pool. Each kernel keeps its own
 * instances, so arrays that one computation holds at the same time never alias.
 */
final class Scratch {
    private Scratch() {}

    /** A per-thread {@code float[]}. */
    static final class Floats {
        private final ThreadLocal<float[]> slot = ThreadLocal.withInitial(() -> new float[0]);

        /** This thread's array, of length at least {@code size}; its contents are whatever was left in it. */
        float[] get(int size) {
            float[] a = slot.get();
            if (a.length < size) {
                a = new float[size];
                slot.set(a);
            }
            return a;
        }
    }

    /** A per-thread {@code double[]}. */
    static final class Doubles {
        private final ThreadLocal<double[]> slot = ThreadLocal.withInitial(() -> new double[0]);

        /** This thread's array, of length at least {@code size}; its contents are whatever was left in it. */
        double[] get(int size) {
            double[] a = slot.get();
            if (a.length < size) {
                a = new double[size];
                slot.set(a);
            }
            return a;
        }
    }
}
