package dev.saekit.data;

import dev.saekit.tensor.SeededRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Seeded choice of distinct row indices, shared by every {@link Dataset#sample}. */
public final class RowSample {
    private RowSample() {}

    /**
     * {@code n} distinct indices of {@code 0..rows-1}, each subset equally likely (Floyd's
     * algorithm), sorted; all indices when {@code n >= rows}.
     */
    public static long[] pick(long rows, int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, was " + n);
        }
        if (n >= rows) {
            long[] all = new long[Math.toIntExact(rows)];
            Arrays.setAll(all, i -> i);
            return all;
        }
        SeededRandom rng = new SeededRandom(seed);
        Set<Long> set = new HashSet<>();
        for (long j = rows - n; j < rows; j++) {
            long t = Math.min(j, (long) (rng.nextDouble() * (j + 1)));
            set.add(set.contains(t) ? j : t);
        }
        return set.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
