package dev.saekit.io;

/**
 * Statistics of every value of a data location, in float64, from one streaming pass in bounded
 * memory ({@link DataLocation#statistics()}). The mean is a compensated (Neumaier) sum over all
 * values divided by their count; the population standard deviation combines, block by block, each
 * block's two-pass sum of squared deviations (Chan, Golub and LeVeque's pairwise update), as
 * accurate as two passes over the whole data without reading it twice. NaN or an infinity makes the
 * mean, minimum or maximum NaN or infinite as NumPy's would be, and the standard deviation NaN;
 * {@code nonFinite} counts such values.
 *
 * @param count     the number of values
 * @param nonFinite how many are NaN or infinite
 * @param mean      the mean; NaN for no values
 * @param std       the population standard deviation; NaN for no values or with non-finite values
 * @param min       the minimum (NaN if any value is NaN); NaN for no values
 * @param max       the maximum (NaN if any value is NaN); NaN for no values
 */
public record ValueStats(long count, long nonFinite, double mean, double std, double min, double max) {

    /** Adds values block by block; {@link #result()} gives the statistics so far. */
    static final class Accumulator {
        private long count;
        private long nonFinite;
        private double sum;
        private double compensation;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private boolean nan;
        /** Count, mean and sum of squared deviations of the finite values seen so far (for the merge). */
        private long finite;

        private double finiteMean;
        private double squares;

        /** Adds {@code values[0..n)}. */
        void add(double[] values, int n) {
            if (n == 0) {
                return;
            }
            double blockSum = 0;
            long blockFinite = 0;
            for (int i = 0; i < n; i++) {
                double x = values[i];
                double t = sum + x;
                compensation += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
                sum = t;
                if (Double.isNaN(x)) {
                    nan = true;
                } else {
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                }
                if (Double.isFinite(x)) {
                    blockSum += x;
                    blockFinite++;
                } else {
                    nonFinite++;
                }
            }
            count += n;
            if (blockFinite == 0) {
                return;
            }
            double blockMean = blockSum / blockFinite;
            double correction = 0;
            double blockSquares = 0;
            for (int i = 0; i < n; i++) {
                double x = values[i];
                if (Double.isFinite(x)) {
                    double d = x - blockMean;
                    correction += d;
                    blockSquares += d * d;
                }
            }
            blockSquares -= correction * correction / blockFinite; // the corrected two-pass formula
            blockMean += correction / blockFinite;
            long total = finite + blockFinite;
            double delta = blockMean - finiteMean;
            squares += blockSquares + delta * delta * ((double) finite * blockFinite / total);
            finiteMean += delta * blockFinite / total;
            finite = total;
        }

        ValueStats result() {
            if (count == 0) {
                return new ValueStats(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double mean = (Double.isFinite(sum) ? sum + compensation : sum) / count;
            double std = nonFinite > 0 ? Double.NaN : Math.sqrt(Math.max(0, squares) / count);
            return new ValueStats(count, nonFinite, mean, std, nan ? Double.NaN : min, nan ? Double.NaN : max);
        }
    }
}
