package dev.saekit.onnx.splice;

import java.util.Arrays;

/**
 * How often latents fire, as SAEBench plots it: a histogram of {@code log10} of each live latent's
 * firing frequency (the share of tokens on which it is active) in bins of {@value #BIN_WIDTH} from
 * {@value #LOWEST} to 0; frequencies below {@code 10^LOWEST} fall in the first bin, a frequency of
 * 1 in the last. Dead latents (never active) have no logarithm and are counted apart.
 *
 * @param edges  the bin edges, {@code log10} frequency, one more than the counts
 * @param counts live latents per bin
 * @param dead   latents never active
 */
public record DensityHistogram(double[] edges, long[] counts, int dead) {
    /** The lowest edge, {@code log10} frequency. */
    public static final double LOWEST = -8;
    /** The width of a bin in decades. */
    public static final double BIN_WIDTH = 0.5;

    public DensityHistogram {
        if (edges.length != counts.length + 1) {
            throw new IllegalArgumentException(
                    edges.length + " edges for " + counts.length + " bins; a histogram needs one edge more than bins");
        }
        edges = edges.clone();
        counts = counts.clone();
    }

    /** The histogram of latents that fired {@code fires[j]} times over {@code tokens} tokens. */
    public static DensityHistogram of(long[] fires, long tokens) {
        int bins = (int) Math.round(-LOWEST / BIN_WIDTH);
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            edges[b] = LOWEST + b * BIN_WIDTH;
        }
        long[] counts = new long[bins];
        int dead = 0;
        for (long f : fires) {
            if (f == 0) {
                dead++;
                continue;
            }
            double log = Math.log10(f / (double) tokens);
            int b = (int) Math.floor((log - LOWEST) / BIN_WIDTH);
            counts[Math.min(bins - 1, Math.max(0, b))]++;
        }
        return new DensityHistogram(edges, counts, dead);
    }

    @Override
    public double[] edges() {
        return edges.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public String toString() {
        return "DensityHistogram[edges=" + Arrays.toString(edges) + ", counts=" + Arrays.toString(counts) + ", dead="
                + dead + "]";
    }
}
