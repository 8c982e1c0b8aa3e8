package dev.saekit.dashboard;

import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.concepts.Hit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The contexts a dashboard shows for every concept, with each context row's activation of that
 * concept: the concept's top activations, and samples from each band of its activation quantiles
 * (from the statistics' uniform sample of the rows it fired on). Rows around a kept activation were
 * not kept by the scan, so their codes are computed again here, in one ordered read of only the
 * blocks that hold them; image rows keep their values to be drawn.
 */
public final class ContextValues {
    /** Where a shown context comes from: the top activations, or a band of the quantiles. */
    public enum Source {
        TOP,
        QUANTILE
    }

    /**
     * A row shown for a concept: the kept activation, the rows shown around it with their
     * activations of the concept ({@code values[i]} for row {@code window.first() + i}), the band
     * (0 for the top, 1.. for quantile bands) and, for image rows, the row's values.
     */
    public record Shown(Source source, int band, Hit hit, RowContexts.Window window, float[] values, float[] pixels) {
        /** Where the kept row is within the window. */
        public int peak() {
            return (int) (hit.row() - window.first());
        }
    }

    /** A quantile band: its rank range in percent and its samples' value range. */
    public record Band(int fromPercent, int toPercent, float low, float high) {}

    /** Everything shown for one concept. */
    public record ConceptContexts(List<Shown> shown, List<Band> bands) {
        public ConceptContexts {
            shown = List.copyOf(shown);
            bands = List.copyOf(bands);
        }

        public List<Shown> top() {
            return shown.stream().filter(s -> s.source() == Source.TOP).toList();
        }

        public List<Shown> band(int band) {
            return shown.stream()
                    .filter(s -> s.source() == Source.QUANTILE && s.band() == band)
                    .toList();
        }
    }

    private ContextValues() {}

    /**
     * The contexts of every concept: its {@code top} largest activations, and {@code perBand} samples
     * from each of {@code bands} equal-rank bands of its sampled activations.
     */
    public static ConceptContexts[] collect(
            ConceptStatistics stats,
            RowContexts contexts,
            Encoding encoding,
            RowStream rows,
            CodeFile.Reader codes,
            int top,
            int bands,
            int perBand)
            throws IOException {
        int concepts = stats.concepts();
        List<List<Pending>> pending = new ArrayList<>(concepts);
        List<List<Band>> bandsOf = new ArrayList<>(concepts);
        List<Pending> all = new ArrayList<>();
        for (int c = 0; c < concepts; c++) {
            List<Pending> mine = new ArrayList<>();
            List<Hit> hits = stats.top(c);
            for (int i = 0; i < Math.min(top, hits.size()); i++) {
                mine.add(new Pending(c, Source.TOP, 0, hits.get(i)));
            }
            List<Band> bandList = new ArrayList<>();
            List<Hit> sample = stats.samples(c); // ascending by value
            if (!sample.isEmpty() && bands > 0 && perBand > 0) {
                int n = sample.size();
                for (int b = 0; b < bands; b++) {
                    int from = (int) ((long) n * b / bands);
                    int to = (int) ((long) n * (b + 1) / bands); // exclusive
                    if (to <= from) {
                        continue;
                    }
                    bandList.add(new Band(
                            100 * b / bands,
                            100 * (b + 1) / bands,
                            sample.get(from).value(),
                            sample.get(to - 1).value()));
                    int take = Math.min(perBand, to - from);
                    for (int i = 0; i < take; i++) {
                        // evenly through the band, its highest last
                        int at = to - 1 - (int) ((long) (to - from - 1) * (take - 1 - i) / Math.max(1, take - 1));
                        if (take == 1) {
                            at = (from + to - 1) / 2;
                        }
                        mine.add(new Pending(c, Source.QUANTILE, bandList.size(), sample.get(at)));
                    }
                }
            }
            pending.add(mine);
            bandsOf.add(bandList);
            all.addAll(mine);
        }
        windows(all, contexts);
        boolean pixels = contexts.kind() == RowContexts.Kind.IMAGES;
        if (codes != null && !pixels) {
            kept(all, codes);
        } else {
            values(all, encoding, rows, pixels);
        }
        ConceptContexts[] out = new ConceptContexts[concepts];
        for (int c = 0; c < concepts; c++) {
            List<Shown> shown = new ArrayList<>();
            for (Pending p : pending.get(c)) {
                shown.add(new Shown(p.source, p.band, p.hit, p.window, p.values, p.pixels));
            }
            out[c] = new ConceptContexts(shown, bandsOf.get(c));
        }
        return out;
    }

    /** Rows encoded at once in the context pass: always this many (unused rows are zero), so no array changes shape. */
    static final int BATCH = 1024;

    /**
     * The rows asked for, gathered into one array of {@link #BATCH} rows that is encoded when full:
     * requests are taken in row order, so those of a batch are a run of the sorted requests.
     */
    private static final class Batch {
        private final List<Pending> all;
        private final Encoding encoding;
        private final long[] reqRow;
        private final int[] reqContext;
        private final int[] reqOffset;
        private final Integer[] order;
        private final INDArray rows;
        private final float[] codes;
        private final float[] raw;
        private final int width;
        private final long[] slotRow = new long[BATCH];
        private int filled;
        private int next; // the first request not yet in a batch
        private int resolved; // the first request not yet answered

        Batch(
                List<Pending> all,
                Encoding encoding,
                int width,
                long[] reqRow,
                int[] reqContext,
                int[] reqOffset,
                Integer[] order) {
            this.all = all;
            this.encoding = encoding;
            this.width = width;
            this.reqRow = reqRow;
            this.reqContext = reqContext;
            this.reqOffset = reqOffset;
            this.order = order;
            this.rows = dev.saekit.tensor.Tensors.zeros(encoding.sae().dtype(), BATCH, width);
            this.codes = new float[BATCH * encoding.sae().nbConcepts()];
            this.raw = new float[BATCH * width];
        }

        /** The next row asked for that is not yet gathered; -1 when none is left. */
        long nextRow() {
            return next < order.length ? reqRow[order[next]] : -1;
        }

        /** Gathers row {@code local} of {@code block} (the next row asked for), encoding the batch when full. */
        void add(INDArray block, int local) {
            long row = reqRow[order[next]];
            rows.putRow(filled, block.getRow(local));
            slotRow[filled++] = row;
            while (next < order.length && reqRow[order[next]] == row) {
                next++;
            }
            if (filled == BATCH) {
                flush();
            }
        }

        void flush() {
            if (filled == 0) {
                return;
            }
            INDArray out = encoding.codes(rows);
            out.castTo(DataType.FLOAT).data().asNioFloat().get(0, codes, 0, codes.length);
            rows.castTo(DataType.FLOAT).data().asNioFloat().get(0, raw, 0, raw.length);
            int concepts = encoding.sae().nbConcepts();
            int slot = 0;
            for (; resolved < next; resolved++) {
                int q = order[resolved];
                while (slotRow[slot] != reqRow[q]) {
                    slot++;
                }
                Pending p = all.get(reqContext[q]);
                if (reqOffset[q] < 0) {
                    p.pixels = Arrays.copyOfRange(raw, slot * width, (slot + 1) * width);
                } else {
                    p.values[reqOffset[q]] = codes[slot * concepts + p.concept];
                }
            }
            filled = 0;
        }
    }

    /** A context being filled in. */
    private static final class Pending {
        final int concept;
        final Source source;
        final int band;
        final Hit hit;
        RowContexts.Window window;
        float[] values;
        float[] pixels;

        Pending(int concept, Source source, int band, Hit hit) {
            this.concept = concept;
            this.source = source;
            this.band = band;
            this.hit = hit;
        }

        int peak() {
            return (int) (hit.row() - window.first());
        }
    }

    /** Each context's window, asking the contexts in increasing row order (each distinct row once). */
    private static void windows(List<Pending> all, RowContexts contexts) throws IOException {
        List<Pending> byRow = new ArrayList<>(all);
        byRow.sort((a, b) -> Long.compare(a.hit.row(), b.hit.row()));
        long row = -1;
        RowContexts.Window window = null;
        for (Pending p : byRow) {
            if (p.hit.row() != row) {
                row = p.hit.row();
                window = contexts.window(row);
            }
            p.window = window;
            p.values = new float[(int) (window.last() - window.first() + 1)];
        }
    }

    /** Fills every context's values from the codes the scan kept, reading the rows in increasing order. */
    private static void kept(List<Pending> all, CodeFile.Reader codes) throws IOException {
        List<Pending> byFirst = new ArrayList<>(all);
        byFirst.sort((a, b) -> Long.compare(a.window.first(), b.window.first()));
        for (Pending p : byFirst) {
            for (int i = 0; i < p.values.length; i++) {
                p.values[i] = codes.value(p.window.first() + i, p.concept);
            }
            p.values[p.peak()] = p.hit.value();
        }
    }

    /**
     * Fills every context's values: the kept activation itself, and, for windows wider than their row
     * (and image rows), one ordered read of the blocks holding the rows asked for.
     */
    private static void values(List<Pending> all, Encoding encoding, RowStream rows, boolean pixels)
            throws IOException {
        // requests: (row, context, offset in its window), sorted by row
        int count = 0;
        for (Pending p : all) {
            p.values[p.peak()] = p.hit.value();
            if (p.values.length > 1) {
                count += p.values.length;
            }
            if (pixels) {
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        long[] reqRow = new long[count];
        int[] reqContext = new int[count];
        int[] reqOffset = new int[count]; // -1: the row's pixels
        int k = 0;
        for (int i = 0; i < all.size(); i++) {
            Pending p = all.get(i);
            if (p.values.length > 1) {
                for (int o = 0; o < p.values.length; o++) {
                    reqRow[k] = p.window.first() + o;
                    reqContext[k] = i;
                    reqOffset[k++] = o;
                }
            }
            if (pixels) {
                reqRow[k] = p.hit.row();
                reqContext[k] = i;
                reqOffset[k++] = -1;
            }
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(reqRow[a], reqRow[b]));
        Batch batch = new Batch(all, encoding, rows.cols(), reqRow, reqContext, reqOffset, order);
        rows.forEachBlock(BATCH, (first, block) -> {
            for (long r; (r = batch.nextRow()) >= 0 && r < first + block.rows(); ) {
                batch.add(block, (int) (r - first));
            }
        });
        batch.flush();
        for (Pending p : all) { // the kept value, not its recomputation (which may differ in the last bits)
            p.values[p.peak()] = p.hit.value();
        }
    }
}
