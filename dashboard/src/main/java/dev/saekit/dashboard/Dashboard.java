package dev.saekit.dashboard;

import dev.saekit.concepts.CoFiring;
import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.concepts.LabelCount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A concept dashboard: the streaming scan, the contexts shown for every concept and its nearest
 * atoms, made once and then read as {@link ConceptView}s, written as a static site ({@link
 * #write}) or shown one concept at a time ({@link #pageHtml}).
 *
 * <pre>{@code
 * Dashboard d = Dashboard.builder(new Encoding(sae, preprocessing), RowStream.of(location, DType.FLOAT32), contexts)
 *         .stateDirectory(site.resolve("scan"))
 *         .build();
 * d.write(site);
 * }</pre>
 */
public final class Dashboard {
    private final Builder b;
    private final ConceptScan.Result scan;
    private final ContextValues.ConceptContexts[] contexts;
    private final AtomSimilarity.Neighbours[] neighbours;
    private final String[] labels;
    private final double contextSeconds;

    private Dashboard(
            Builder b,
            ConceptScan.Result scan,
            ContextValues.ConceptContexts[] contexts,
            AtomSimilarity.Neighbours[] neighbours,
            double contextSeconds) {
        this.b = b;
        this.scan = scan;
        this.contexts = contexts;
        this.neighbours = neighbours;
        this.contextSeconds = contextSeconds;
        this.labels = new String[scan.statistics().concepts()];
        for (int c = 0; c < labels.length; c++) {
            labels[c] = String.join(
                    " · ", tokens(c).subList(0, Math.min(3, tokens(c).size())));
        }
    }

    /**
     * Concept {@code c}'s tokens (labels) as a person reads it: those of its top activations, most
     * active first, then those it fires on most often; each once. The first three are its label; the
     * index's search matches all of them.
     */
    public List<String> tokens(int c) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        if (b.rowContexts.kind() == RowContexts.Kind.TOKENS || b.rowContexts.kind() == RowContexts.Kind.LABELS) {
            for (ContextValues.Shown s : contexts[c].top()) {
                String t = s.window().texts().get(s.peak());
                out.add(
                        b.rowContexts.kind() == RowContexts.Kind.TOKENS && t.startsWith("##") && t.length() > 2
                                ? t.substring(2)
                                : t);
            }
        }
        for (LabelCount l : scan.statistics().labels(c)) {
            if (out.size() >= 2 * b.labelsShown) {
                break;
            }
            out.add(b.rowContexts.labelText(l.label()));
        }
        return new ArrayList<>(out);
    }

    /** A dashboard of the SAE in {@code encoding} over {@code rows}, labels and contexts from {@code contexts} (null: none). */
    public static Builder builder(Encoding encoding, RowStream rows, RowContexts contexts) {
        return new Builder(encoding, rows, contexts == null ? RowContexts.none() : contexts);
    }

    /** What to keep and show; {@link #build} runs the scan (or continues or finds it) and gathers the contexts. */
    public static final class Builder {
        private final Encoding encoding;
        private final RowStream rows;
        private final RowContexts rowContexts;
        private ConceptStatistics.Settings settings;
        private int blockRows = 1024;
        private int segmentRows = dev.saekit.concepts.StatisticsPart.DEFAULT_SEGMENT_ROWS;
        private Path stateDirectory;
        private double saveSeconds = 60;
        private ConceptScan.Progress progress = (done, total) -> {};
        private int top = 20;
        private int bands = 4;
        private int perBand = 3;
        private int similar = 8;
        private int partners = 8;
        private int labelsShown = 16;
        private double denseThreshold = 0.1;
        private Map<Integer, String> names = Map.of();
        private int imageHeight;
        private int imageWidth;
        private String title;

        private Builder(Encoding encoding, RowStream rows, RowContexts contexts) {
            this.encoding = Objects.requireNonNull(encoding, "encoding");
            this.rows = Objects.requireNonNull(rows, "rows");
            this.rowContexts = contexts;
            this.settings = ConceptStatistics.Settings.of(encoding.sae().nbConcepts());
        }

        /** What the scan keeps per concept (its top-k size bounds the top contexts shown). */
        public Builder settings(ConceptStatistics.Settings v) {
            this.settings = Objects.requireNonNull(v, "settings");
            return this;
        }

        public Builder blockRows(int v) {
            this.blockRows = v;
            return this;
        }

        /** Rows per segment of the statistics (see {@link ConceptScan#segmentRows}). */
        public Builder segmentRows(int v) {
            this.segmentRows = v;
            return this;
        }

        /** Where the scan saves its statistics as it goes, to be continued by a later run. */
        public Builder stateDirectory(Path v) {
            this.stateDirectory = v;
            return this;
        }

        public Builder saveEvery(double seconds) {
            this.saveSeconds = seconds;
            return this;
        }

        public Builder progress(ConceptScan.Progress v) {
            this.progress = Objects.requireNonNull(v, "progress");
            return this;
        }

        /** Top contexts shown per concept (at most the statistics' top). */
        public Builder top(int v) {
            this.top = positive("top", v);
            return this;
        }

        /** Quantile bands, and samples shown from each. */
        public Builder quantiles(int bands, int perBand) {
            this.bands = positive("bands", bands);
            this.perBand = positive("samples per band", perBand);
            return this;
        }

        /** Nearest atoms and co-firing partners listed per concept. */
        public Builder neighbours(int similar, int partners) {
            this.similar = positive("similar atoms", similar);
            this.partners = positive("co-firing partners", partners);
            return this;
        }

        /** Labels (tokens) listed per concept. */
        public Builder labelsShown(int v) {
            this.labelsShown = positive("labels shown", v);
            return this;
        }

        /** A concept firing on more than this fraction of rows is flagged dense (default 0.1). */
        public Builder denseThreshold(double v) {
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException("the dense threshold is a fraction of rows in (0, 1], was " + v);
            }
            this.denseThreshold = v;
            return this;
        }

        /** Names people gave concepts (shown beside the automatic label, searchable). */
        public Builder names(Map<Integer, String> v) {
            for (Integer c : v.keySet()) {
                if (c < 0 || c >= encoding.sae().nbConcepts()) {
                    throw new IllegalArgumentException("a name is given to concept " + c
                            + ", but the SAE has concepts 0.." + (encoding.sae().nbConcepts() - 1));
                }
            }
            this.names = Map.copyOf(v);
            return this;
        }

        /** Rows and atoms are images {@code height x width}: drawn as pictures. */
        public Builder imageShape(int height, int width) {
            if ((long) height * width != rows.cols()) {
                throw new IllegalArgumentException("an image shape of " + height + "x" + width + " = "
                        + (long) height * width + " values does not match rows of width " + rows.cols());
            }
            this.imageHeight = height;
            this.imageWidth = width;
            return this;
        }

        public Builder title(String v) {
            this.title = v;
            return this;
        }

        public Dashboard build() throws IOException {
            ConceptScan.Result scan = ConceptScan.builder(encoding, rows, rowContexts)
                    .settings(settings)
                    .blockRows(blockRows)
                    .segmentRows(segmentRows)
                    .stateDirectory(stateDirectory)
                    .saveEvery(saveSeconds)
                    .progress(progress)
                    .run();
            long t = System.nanoTime();
            ContextValues.ConceptContexts[] contexts;
            try (CodeFile.Reader codes = stateDirectory == null
                    ? null
                    : CodeFile.Reader.open(stateDirectory, scan.statistics().rows())) {
                contexts = ContextValues.collect(
                        scan.statistics(),
                        rowContexts,
                        encoding,
                        rows,
                        codes,
                        Math.min(top, settings.top()),
                        bands,
                        perBand);
            }
            AtomSimilarity.Neighbours[] near =
                    AtomSimilarity.nearest(encoding.sae().getDictionary(), similar);
            return new Dashboard(this, scan, contexts, near, (System.nanoTime() - t) / 1e9);
        }

        private static int positive(String what, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0, was " + v);
            }
            return v;
        }
    }

    public ConceptScan.Result scan() {
        return scan;
    }

    public ConceptStatistics statistics() {
        return scan.statistics();
    }

    /** Seconds spent reading the contexts and the atoms' similarities after the scan. */
    public double contextSeconds() {
        return contextSeconds;
    }

    public int concepts() {
        return labels.length;
    }

    public RowContexts.Kind kind() {
        return b.rowContexts.kind();
    }

    public String title() {
        return b.title != null
                ? b.title
                : String.format(
                        Locale.ROOT,
                        "%s SAE, %,d concepts, over %s",
                        b.encoding.sae().spec().variant().name(),
                        concepts(),
                        b.rows.description());
    }

    String dataDescription() {
        return b.rows.description();
    }

    String variant() {
        return b.encoding.sae().spec().variant().name();
    }

    int imageHeight() {
        return b.imageHeight;
    }

    int imageWidth() {
        return b.imageWidth;
    }

    /** Concept {@code c}'s automatic label: its three most frequent labels (tokens). */
    public String label(int c) {
        return labels[c];
    }

    /** The name given to concept {@code c}, or null. */
    public String name(int c) {
        return b.names.get(c);
    }

    public boolean dead(int c) {
        return statistics().fired(c) == 0;
    }

    public boolean dense(int c) {
        return statistics().density(c) > b.denseThreshold;
    }

    /** Everything concept {@code c}'s page shows. */
    public ConceptView view(int c) {
        if (c < 0 || c >= concepts()) {
            throw new IndexOutOfBoundsException("concept " + c + " of an SAE with concepts 0.." + (concepts() - 1));
        }
        ConceptStatistics s = statistics();
        List<ConceptView.Labelled> ls = new ArrayList<>();
        for (LabelCount l : s.labels(c)) {
            if (ls.size() == b.labelsShown) {
                break;
            }
            ls.add(new ConceptView.Labelled(l.label(), b.rowContexts.labelText(l.label()), l.count(), l.meanValue()));
        }
        List<ConceptView.Neighbour> near = new ArrayList<>();
        AtomSimilarity.Neighbours n = neighbours[c];
        for (int i = 0; i < n.concepts().length; i++) {
            near.add(new ConceptView.Neighbour(n.concepts()[i], labels[n.concepts()[i]], n.cosines()[i]));
        }
        List<ConceptView.Partner> partners = new ArrayList<>();
        for (CoFiring p : s.cofiring(c, b.partners)) {
            if (p.count() == 0) {
                break;
            }
            partners.add(new ConceptView.Partner(
                    p.concept(), labels[p.concept()], p.count(), p.jaccard(), p.count() / (double) s.fired(c)));
        }
        float[] atom = b.imageHeight > 0
                ? b.encoding
                        .sae()
                        .getDictionary()
                        .getRow(c)
                        .castTo(DataType.FLOAT)
                        .dup()
                        .data()
                        .asFloat()
                : null;
        return new ConceptView(
                c,
                name(c),
                labels[c],
                s.rows(),
                s.histogram(c),
                s.fired(c),
                s.density(c),
                s.mean(c),
                s.std(c),
                s.max(c),
                s.min(c),
                dead(c),
                dense(c),
                ls,
                s.labelError(c),
                contexts[c],
                near,
                partners,
                atom);
    }

    /** Writes the site into {@code out} (see {@link ConceptSite}) and says what it wrote. */
    public ConceptSite.Written write(Path out) throws IOException {
        return ConceptSite.write(this, out);
    }

    /** Concept {@code c}'s page as one self-contained HTML fragment (its style inline), for a notebook. */
    public String pageHtml(int c) {
        return ConceptSite.fragment(this, c);
    }
}
