package dev.saekit.kernel;

/**
 * In-place selection of the k-th largest value of a range of a {@code double[]} (quickselect with
 * median-of-three pivots; insertion sort below 16 elements). The array is reordered.
 */
final class Select {
    private Select() {}

    /** The {@code k}-th largest value (1-based) of {@code a[from, to)}. */
    static double kthLargest(double[] a, int from, int to, int k) {
        if (k < 1 || k > to - from) {
            throw new IllegalArgumentException("k must be in 1.." + (to - from) + ", was " + k);
        }
        int target = from + k - 1; // position in descending order
        int lo = from;
        int hi = to - 1;
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            double pivot = medianOfThree(a[lo], a[mid], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] > pivot) {
                    i++;
                }
                while (a[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        // insertion sort, descending, of the small remaining range
        for (int i = lo + 1; i <= hi; i++) {
            double v = a[i];
            int j = i - 1;
            while (j >= lo && a[j] < v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
        return a[target];
    }

    private static double medianOfThree(double a, double b, double c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
