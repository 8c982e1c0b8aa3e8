package dev.saekit.concepts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * For each concept, the {@code capacity} best (row, value) entries offered to it, in memory fixed
 * by the capacity: a max-heap per concept whose root is the worst entry kept. "Best" is the
 * smallest (key, row) pair, the key a {@code long} the caller derives from the entry (a negated
 * value for the top hits, a pseudo-random priority for the sample); two entries with the same key
 * go to the lower row. Entries of different rows never compare equal, so what is kept is the
 * {@code capacity} best of everything offered, whatever the order of the offers: heaps of disjoint
 * rows merge by offering one's entries to the other.
 *
 * <p>Concept {@code c}'s entries are {@code [c * capacity, c * capacity + sizes[c])} of the
 * arrays, in heap order (which depends on the order of the offers; compare with {@link #sorted}).
 */
final class BoundedHeaps {
    final int capacity;
    final long[] keys;
    final long[] rows;
    final float[] values;
    final int[] sizes;

    BoundedHeaps(int concepts, int capacity) {
        int cells = Math.multiplyExact(concepts, capacity); // checked against the array limit by Settings
        this.capacity = capacity;
        this.keys = new long[cells];
        this.rows = new long[cells];
        this.values = new float[cells];
        this.sizes = new int[concepts];
    }

    /** Offers (row, value) with key {@code key} to concept {@code c}: kept if among its {@code capacity} best. */
    void offer(int c, long key, long row, float value) {
        int base = c * capacity;
        int size = sizes[c];
        if (size < capacity) {
            keys[base + size] = key;
            rows[base + size] = row;
            values[base + size] = value;
            sizes[c] = size + 1;
            siftUp(base, size);
        } else if (capacity > 0 && better(key, row, keys[base], rows[base])) {
            keys[base] = key;
            rows[base] = row;
            values[base] = value;
            siftDown(base, capacity, 0);
        }
    }

    /** Whether (key a, row a) ranks before (key b, row b). */
    static boolean better(long ka, long ra, long kb, long rb) {
        return ka < kb || (ka == kb && ra < rb);
    }

    /** Offers every entry {@code other} keeps (same concepts and capacity). */
    void mergeFrom(BoundedHeaps other) {
        for (int c = 0; c < sizes.length; c++) {
            int base = c * capacity;
            for (int i = 0; i < other.sizes[c]; i++) {
                offer(c, other.keys[base + i], other.rows[base + i], other.values[base + i]);
            }
        }
    }

    /** Restores the heap order of concept {@code c} after its entries were written directly (read from a file). */
    void heapify(int c) {
        int base = c * capacity;
        for (int i = sizes[c] / 2 - 1; i >= 0; i--) {
            siftDown(base, sizes[c], i);
        }
    }

    /** Positions of concept {@code c}'s entries in the arrays, best first. */
    int[] sorted(int c) {
        int base = c * capacity;
        Integer[] order = new Integer[sizes[c]];
        for (int i = 0; i < order.length; i++) {
            order[i] = base + i;
        }
        Arrays.sort(
                order, (a, b) -> keys[a] != keys[b] ? Long.compare(keys[a], keys[b]) : Long.compare(rows[a], rows[b]));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** Concept {@code c}'s entries, best first. */
    List<Hit> hits(int c) {
        List<Hit> hits = new ArrayList<>(sizes[c]);
        for (int k : sorted(c)) {
            hits.add(new Hit(rows[k], values[k]));
        }
        return hits;
    }

    /** Whether both keep the same entries for every concept, whatever their heap order. */
    boolean sameEntries(BoundedHeaps other) {
        if (!Arrays.equals(sizes, other.sizes)) {
            return false;
        }
        for (int c = 0; c < sizes.length; c++) {
            int[] mine = sorted(c);
            int[] theirs = other.sorted(c);
            for (int i = 0; i < mine.length; i++) {
                if (keys[mine[i]] != other.keys[theirs[i]]
                        || rows[mine[i]] != other.rows[theirs[i]]
                        || Float.floatToIntBits(values[mine[i]]) != Float.floatToIntBits(other.values[theirs[i]])) {
                    return false;
                }
            }
        }
        return true;
    }

    private void siftUp(int base, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(keys[base + parent], rows[base + parent], keys[base + i], rows[base + i])) {
                return;
            }
            swap(base + i, base + parent);
            i = parent;
        }
    }

    private void siftDown(int base, int size, int i) {
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int worst = i;
            if (l < size && better(keys[base + worst], rows[base + worst], keys[base + l], rows[base + l])) {
                worst = l;
            }
            if (r < size && better(keys[base + worst], rows[base + worst], keys[base + r], rows[base + r])) {
                worst = r;
            }
            if (worst == i) {
                return;
            }
            swap(base + i, base + worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        long k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        long row = rows[a];
        rows[a] = rows[b];
        rows[b] = row;
        float v = values[a];
        values[a] = values[b];
        values[b] = v;
    }
}
