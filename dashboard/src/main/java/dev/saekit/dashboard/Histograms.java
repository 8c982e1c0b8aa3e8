package dev.saekit.dashboard;

import dev.saekit.concepts.Histogram;
import java.util.Locale;
import org.jsoup.nodes.Element;

/**
 * A concept's activation histogram as inline SVG: the magnitudes of its non-zero activations over
 * the statistics' log-spaced bins, from the first bin with a count to the last (values below or
 * above the bins' range as bars at either end), negative activations below the axis.
 */
final class Histograms {
    static final int WIDTH = 640;
    static final int HEIGHT = 180;
    private static final int LEFT = 48;
    private static final int BOTTOM = 28;
    private static final int TOP = 8;

    private Histograms() {}

    static Element svg(Histogram h) {
        long[] pos = withEnds(h.underflow(), h.counts(), h.overflow());
        long[] neg = withEnds(h.negativeUnderflow(), h.negativeCounts(), h.negativeOverflow());
        int first = -1;
        int last = -1;
        long max = 0;
        for (int i = 0; i < pos.length; i++) {
            if (pos[i] > 0 || neg[i] > 0) {
                first = first < 0 ? i : first;
                last = i;
                max = Math.max(max, Math.max(pos[i], neg[i]));
            }
        }
        boolean negatives = false;
        for (long n : neg) {
            negatives |= n > 0;
        }
        Element svg = new Element("svg")
                .attr("xmlns", "http://www.w3.org/2000/svg")
                .attr("width", Integer.toString(WIDTH))
                .attr("height", Integer.toString(HEIGHT))
                .addClass("histogram");
        int plotH = HEIGHT - BOTTOM - TOP;
        int axisY = negatives ? TOP + plotH / 2 : TOP + plotH;
        int barSpace = negatives ? plotH / 2 : plotH;
        line(svg, LEFT, axisY, WIDTH - 8, axisY);
        if (first < 0) {
            text(svg, LEFT + 8, TOP + plotH / 2, "no activations", "start");
            return svg;
        }
        int bars = last - first + 1;
        double barW = (WIDTH - LEFT - 8) / (double) bars;
        double[] edges = h.edges();
        for (int i = first; i <= last; i++) {
            double x = LEFT + (i - first) * barW;
            String range = range(i, edges);
            if (pos[i] > 0) {
                double bh = Math.max(1.0, barSpace * (double) pos[i] / max);
                rect(svg, x, axisY - bh, barW, bh, "bar", range + ": " + pos[i]);
            }
            if (neg[i] > 0) {
                double bh = Math.max(1.0, barSpace * (double) neg[i] / max);
                rect(svg, x, axisY, barW, bh, "bar neg", "-(" + range + "): " + neg[i]);
            }
            // a tick at each decade
            if (i >= 1 && i - 1 < edges.length && isDecade(edges[i - 1])) {
                line(svg, x, axisY, x, axisY + 4);
                text(svg, x, HEIGHT - 8, "1e" + Math.round(Math.log10(edges[i - 1])), "middle");
            }
        }
        text(svg, LEFT - 4, TOP + 10, String.format(Locale.ROOT, "%,d", max), "end");
        text(svg, WIDTH - 8, TOP + 10, "|activation|, log scale", "end");
        return svg;
    }

    /** Underflow, the bins, overflow, as one array. */
    private static long[] withEnds(long under, long[] counts, long over) {
        long[] all = new long[counts.length + 2];
        all[0] = under;
        System.arraycopy(counts, 0, all, 1, counts.length);
        all[all.length - 1] = over;
        return all;
    }

    /** The range of slot {@code i} of {@link #withEnds} ({@code edges} are the regular bins' edges). */
    private static String range(int i, double[] edges) {
        if (i == 0) {
            return String.format(Locale.ROOT, "below %.3g", edges[0]);
        }
        if (i == edges.length) {
            return String.format(Locale.ROOT, "%.3g and above", edges[edges.length - 1]);
        }
        return String.format(Locale.ROOT, "%.3g to %.3g", edges[i - 1], edges[i]);
    }

    private static boolean isDecade(double edge) {
        double e = Math.log10(edge);
        return Math.abs(e - Math.rint(e)) < 1e-9;
    }

    private static void rect(Element svg, double x, double y, double w, double h, String cls, String title) {
        Element r = svg.appendElement("rect")
                .addClass(cls)
                .attr("x", fmt(x))
                .attr("y", fmt(y))
                .attr("width", fmt(Math.max(0.5, w - 1)))
                .attr("height", fmt(h));
        r.appendElement("title").text(title);
    }

    private static void line(Element svg, double x1, double y1, double x2, double y2) {
        svg.appendElement("line")
                .addClass("axis")
                .attr("x1", fmt(x1))
                .attr("y1", fmt(y1))
                .attr("x2", fmt(x2))
                .attr("y2", fmt(y2));
    }

    private static void text(Element svg, double x, double y, String s, String anchor) {
        svg.appendElement("text")
                .attr("x", fmt(x))
                .attr("y", fmt(y))
                .attr("text-anchor", anchor)
                .text(s);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
