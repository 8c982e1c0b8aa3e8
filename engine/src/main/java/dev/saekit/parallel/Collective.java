package dev.saekit.parallel;

/**
 * The workers of a data-parallel run, numbered {@code 0 .. size() - 1}, summing arrays element by
 * element. Every worker calls the same sums in the same order with arrays of the same length (a
 * collective call); each returns when every worker holds the sums, and all workers hold the same
 * bits: a sum's order of addition is fixed by the worker count and the array length alone, never by
 * timing, so the workers' parameters stay identical step after step.
 *
 * <p>A failure (a worker lost, a connection closed, a timeout) is a {@link CollectiveException} on
 * every worker that notices it; the collective is then unusable.
 */
public interface Collective {

    /** This worker's number, {@code 0 .. size() - 1}. */
    int rank();

    /** The number of workers. */
    int size();

    /** Replaces {@code values[offset .. offset + length)} by its element-wise sum over the workers. */
    void sum(double[] values, int offset, int length);

    /** As {@link #sum(double[], int, int)}, in float32 arithmetic. */
    void sum(float[] values, int offset, int length);

    /** Sums the whole array over the workers, in place. */
    default void sum(double[] values) {
        sum(values, 0, values.length);
    }

    /** Sums the whole array over the workers, in place. */
    default void sum(float[] values) {
        sum(values, 0, values.length);
    }

    /** The sum of {@code value} over the workers. */
    default double sum(double value) {
        double[] one = {value};
        sum(one);
        return one[0];
    }

    /** Whether this is one worker alone, for which every sum is the identity. */
    default boolean isSingle() {
        return size() == 1;
    }

    /** The collective of a run in one process: a sum over one worker leaves the values as they are. */
    static Collective single() {
        return Single.INSTANCE;
    }

    /** The one-process collective. */
    enum Single implements Collective {
        INSTANCE;

        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void sum(double[] values, int offset, int length) {
            java.util.Objects.checkFromIndexSize(offset, length, values.length);
        }

        @Override
        public void sum(float[] values, int offset, int length) {
            java.util.Objects.checkFromIndexSize(offset, length, values.length);
        }

        @Override
        public String toString() {
            return "one process";
        }
    }
}
