package dev.saekit.concepts;

import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a concept dashboard shows about each concept of a sparse autoencoder, gathered in one
 * streaming pass over its codes, in memory fixed by the {@link Settings} whatever the number of
 * rows. A concept fires on a row when its code there is non-zero (negative codes, as matching
 * pursuit gives, fire too). Per concept it keeps:
 *
 * <ul>
 *   <li>how often it fired, the sum and sum of squares of its non-zero values (in double), their
 *       largest and smallest value;
 *   <li>its {@code top} largest values with their rows, ties to the lower row;
 *   <li>a uniform sample of {@code samples} of the rows it fired on, with their values: the rows of
 *       smallest {@link #priority} (a hash of the seed, the concept and the row; ties to the lower
 *       row), so the sample is the same whatever the order or partition of the rows;
 *   <li>a histogram of {@code |value|} over fixed log-spaced bins, positives and negatives apart;
 *   <li>when rows carry labels (token ids, say), a Misra-Gries summary of the labels it fires on:
 *       {@code labelSlots} counters with a count and a mean value each, and a bound on how much a
 *       count may be short ({@link #labelError});
 *   <li>if {@code cofiring}, for every other concept the number of rows both fired on.
 * </ul>
 *
 * <p>Rows are numbered by the caller ({@code firstRow} of each block), and statistics of disjoint
 * rows {@link #merge}: fired counts, extremes, top hits, samples, histograms and co-firing counts
 * come out exactly as one pass over all rows gives them, in any order of blocks and merges; sums
 * agree up to the rounding of their additions; label summaries merge by the Misra-Gries merge,
 * which is exact while a concept fires on at most {@code labelSlots} distinct labels and symmetric
 * always ({@code a.merge(b)} equals {@code b.merge(a)}). {@link #write} saves everything and
 * {@link #read} brings it back exactly, so a pass can stop and resume, or run in shards that are
 * merged afterwards. {@link StatisticsPart} gathers them so that shards combine into one pass's
 * statistics bit for bit, sums and label summaries included.
 *
 * <p>The file is little-endian throughout: a 60-byte header, then fixed-size arrays, then the kept
 * entries, concept by concept ({@code C} concepts, {@code B = (maxExponent - minExponent) *
 * binsPerDecade} regular bins, {@code P = C (C - 1) / 2} pairs):
 *
 * <pre>
 * offset  type        field
 *  0      byte[8]     magic "SAEKITCS"
 *  8      int32       format version, 1
 * 12      int32 x3    concepts, top, samples
 * 24      int64       seed
 * 32      int32 x5    labelSlots, cofiring (0 or 1), binsPerDecade, minExponent, maxExponent
 * 52      int64       rows
 * 60      int64[C]    fired;  float64[C] sum;  float64[C] sumSquares
 *         float32[C]  max;  float32[C] min    (-inf and +inf where a concept never fired)
 *         int64[C * 2 * (B + 2)]  histograms: per concept the positive values' underflow, B bins,
 *                     overflow, then the same for the negative values' magnitudes
 *         int32[C]    topSizes;  int32[C] sampleSizes
 *         int32[C]    labelSizes;  int64[C] labelErrors     (only if labelSlots > 0)
 *         int32[P]    co-firing counts, pair (i &lt; j) row by row  (only if cofiring)
 *         int64[T]    top rows;  float32[T] top values         (T = sum of topSizes)
 *         int64[S]    sample rows;  float32[S] sample values   (S = sum of sampleSizes)
 *         int32[L]    labels;  int64[L] label counts;  float64[L] label sums
 *                     (L = sum of labelSizes; each concept's labels ascending)
 * </pre>
 *
 * <p>Each concept's top entries and samples are written best first (so equal statistics give
 * equal files); reading accepts them in any order and recomputes their heap keys. {@link #read} checks the header and compares the sizes it implies with
 * the file's length before allocating anything.
 *
 * <p>Not thread-safe: one instance per thread, merged at the end.
 */
public final class ConceptStatistics {
    /** The largest Java array, in elements. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * What is kept per concept, fixed for a pass: statistics merge only with others of the same
     * settings.
     *
     * @param concepts the concepts (latents) of the SAE, {@code >= 1}
     * @param top the largest values kept per concept, {@code >= 0}
     * @param samples the rows sampled per concept, {@code >= 0}
     * @param seed the seed of the sample's {@linkplain ConceptStatistics#priority priorities}
     * @param labelSlots the counters of each concept's label summary, {@code >= 0} (0: no labels)
     * @param cofiring whether to count the rows each pair of concepts fires on together
     *     ({@code concepts (concepts - 1) / 2} ints)
     * @param binsPerDecade histogram bins per factor of ten, {@code 1..1000}
     * @param minExponent the histogram's regular bins start at {@code 10^minExponent}, {@code >= -37}
     * @param maxExponent and end at {@code 10^maxExponent}, {@code minExponent < maxExponent <= 38}
     */
    public record Settings(
            int concepts,
            int top,
            int samples,
            long seed,
            int labelSlots,
            boolean cofiring,
            int binsPerDecade,
            int minExponent,
            int maxExponent) {
        public Settings {
            if (concepts < 1) {
                throw new IllegalArgumentException("concepts must be >= 1, was " + concepts);
            }
            requireCells("top", top, concepts, "keep fewer top values per concept");
            requireCells("samples", samples, concepts, "sample fewer rows per concept");
            requireCells("labelSlots", labelSlots, concepts, "keep fewer label counters per concept");
            if (binsPerDecade < 1 || binsPerDecade > 1000) {
                throw new IllegalArgumentException("binsPerDecade must be in 1..1000, was " + binsPerDecade);
            }
            if (minExponent < -37 || maxExponent > 38 || minExponent >= maxExponent) {
                throw new IllegalArgumentException("the histogram's exponents must satisfy -37 <= minExponent"
                        + " < maxExponent <= 38 (bins edges are floats), were " + minExponent + " and " + maxExponent);
            }
            long slots = 2L * ((long) (maxExponent - minExponent) * binsPerDecade + 2);
            if (slots * concepts > MAX_ARRAY) {
                throw new IllegalArgumentException("histograms of " + slots + " slots for " + concepts
                        + " concepts do not fit in one array (" + MAX_ARRAY + " elements): use fewer binsPerDecade"
                        + " or a narrower range of exponents");
            }
            long pairs = (long) concepts * (concepts - 1) / 2;
            if (cofiring && pairs > MAX_ARRAY) {
                throw new IllegalArgumentException("co-firing counts for " + concepts + " concepts need " + pairs
                        + " ints (" + 4 * pairs + " bytes), more than one array holds (" + MAX_ARRAY
                        + "): turn co-firing off with withCofiring(false)");
            }
        }

        private static void requireCells(String name, int perConcept, int concepts, String advice) {
            if (perConcept < 0) {
                throw new IllegalArgumentException(name + " must be >= 0, was " + perConcept);
            }
            if ((long) perConcept * concepts > MAX_ARRAY) {
                throw new IllegalArgumentException(name + "=" + perConcept + " for " + concepts + " concepts is "
                        + (long) perConcept * concepts + " entries, more than one array holds (" + MAX_ARRAY
                        + "): " + advice);
            }
        }

        /**
         * The defaults for {@code concepts} concepts: the 24 largest values, 64 sampled rows, seed 0,
         * 64 label counters, 10 histogram bins per decade from {@code 1e-4} to {@code 1e4}, and
         * co-firing counted wherever its counts fit in one array (up to 65,536 concepts, which take
         * 8.6 GB; {@link #withCofiring} says otherwise).
         */
        public static Settings of(int concepts) {
            boolean fits = (long) concepts * (concepts - 1) / 2 <= MAX_ARRAY;
            return new Settings(concepts, 24, 64, 0, 64, fits, 10, -4, 4);
        }

        public Settings withTop(int top) {
            return new Settings(
                    concepts, top, samples, seed, labelSlots, cofiring, binsPerDecade, minExponent, maxExponent);
        }

        public Settings withSamples(int samples) {
            return new Settings(
                    concepts, top, samples, seed, labelSlots, cofiring, binsPerDecade, minExponent, maxExponent);
        }

        public Settings withSeed(long seed) {
            return new Settings(
                    concepts, top, samples, seed, labelSlots, cofiring, binsPerDecade, minExponent, maxExponent);
        }

        public Settings withLabelSlots(int labelSlots) {
            return new Settings(
                    concepts, top, samples, seed, labelSlots, cofiring, binsPerDecade, minExponent, maxExponent);
        }

        public Settings withCofiring(boolean cofiring) {
            return new Settings(
                    concepts, top, samples, seed, labelSlots, cofiring, binsPerDecade, minExponent, maxExponent);
        }

        /** The histogram's bins: {@code binsPerDecade} per decade from {@code 10^minExponent} to {@code 10^maxExponent}. */
        public Settings withBins(int binsPerDecade, int minExponent, int maxExponent) {
            return new Settings(
                    concepts, top, samples, seed, labelSlots, cofiring, binsPerDecade, minExponent, maxExponent);
        }

        /** The fields in which {@code other} differs, as {@code "top=16 vs 24"}, comma-separated. */
        String differences(Settings other) {
            List<String> d = new ArrayList<>();
            diff(d, "concepts", concepts, other.concepts);
            diff(d, "top", top, other.top);
            diff(d, "samples", samples, other.samples);
            diff(d, "seed", seed, other.seed);
            diff(d, "labelSlots", labelSlots, other.labelSlots);
            diff(d, "cofiring", cofiring, other.cofiring);
            diff(d, "binsPerDecade", binsPerDecade, other.binsPerDecade);
            diff(d, "minExponent", minExponent, other.minExponent);
            diff(d, "maxExponent", maxExponent, other.maxExponent);
            return String.join(", ", d);
        }

        private static void diff(List<String> d, String name, Object mine, Object theirs) {
            if (!mine.equals(theirs)) {
                d.add(name + "=" + mine + " here vs " + theirs + " there");
            }
        }
    }

    /** Statistics the same settings gathered, as any other instance with them would. */
    private final Settings settings;

    private final int concepts;
    long rows;
    final long[] fired;
    final double[] sum;
    final double[] sumSquares;
    /** Largest and smallest non-zero value; -inf and +inf before the concept fires. */
    final float[] max;

    final float[] min;
    final BoundedHeaps top;
    final BoundedHeaps samples;
    /** Per concept, the hash of seed and concept that {@link #priority} continues with the row. */
    private final long[] sampleKeys;

    final LogBins bins;
    /** Per concept {@code 2 * (bins + 2)} slots: positive magnitudes, then negative ones (see {@link LogBins#slot}). */
    final long[] histogram;
    /** Null when {@code labelSlots} is 0. */
    final LabelSummaries labels;
    /** Null when co-firing is off. */
    final CoFiringCounts cofiring;

    private final BlockCheck check;
    private final DenseBlock dense = new DenseBlock();

    /** Empty statistics (no rows yet) for {@code settings}. */
    public ConceptStatistics(Settings settings) {
        this.settings = settings;
        this.concepts = settings.concepts();
        this.fired = new long[concepts];
        this.sum = new double[concepts];
        this.sumSquares = new double[concepts];
        this.max = new float[concepts];
        this.min = new float[concepts];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        this.top = new BoundedHeaps(concepts, settings.top());
        this.samples = new BoundedHeaps(concepts, settings.samples());
        this.sampleKeys = new long[concepts];
        for (int c = 0; c < concepts; c++) {
            sampleKeys[c] = conceptKey(settings.seed(), c);
        }
        this.bins = new LogBins(settings.binsPerDecade(), settings.minExponent(), settings.maxExponent());
        this.histogram = new long[concepts * 2 * (bins.bins + 2)];
        this.labels = settings.labelSlots() > 0 ? new LabelSummaries(concepts, settings.labelSlots()) : null;
        this.cofiring = settings.cofiring() ? new CoFiringCounts(concepts) : null;
        this.check = new BlockCheck(concepts);
    }

    public Settings settings() {
        return settings;
    }

    /** The rows seen so far, those on which nothing fired included. */
    public long rows() {
        return rows;
    }

    public int concepts() {
        return concepts;
    }

    /**
     * Adds a block of {@code rows} rows in compressed sparse row form: row {@code r} (row
     * {@code firstRow + r} of the stream) holds {@code values[e]} for concept {@code indices[e]},
     * {@code e} in {@code [indptr[r], indptr[r + 1])}. A concept appears at most once per row; zero
     * values are allowed and do not fire. {@code labels} gives each row's label ({@code labels[r]}),
     * or is null: then the label summaries are not updated for this block. The block is checked
     * whole before anything is counted, so a bad block leaves the statistics as they were.
     *
     * <p>Scratch arrays are kept between calls; the labels of a block are summed exactly before they
     * are merged into the summaries, so larger blocks lose less to the Misra-Gries merge.
     *
     * @throws IllegalArgumentException for a malformed block (shapes, an index out of range or twice
     *     in a row, a value that is not finite), naming the entry and its row
     */
    public void add(long firstRow, int rows, int[] indptr, int[] indices, float[] values, int[] labels) {
        boolean labelled = labels != null && this.labels != null;
        if (labelled) {
            this.labels.startBlock();
        }
        check.check(firstRow, rows, indptr, indices, values, labels, labelled ? this.labels : null);
        if (labelled) {
            this.labels.startFilling();
        }
        for (int r = 0; r < rows; r++) {
            long row = firstRow + r;
            for (int e = indptr[r]; e < indptr[r + 1]; e++) {
                float v = values[e];
                if (v == 0) {
                    continue;
                }
                int c = indices[e];
                record(c, row, v);
                if (labelled) {
                    this.labels.put(c, labels[r], v);
                }
                if (cofiring != null) {
                    cofiring.fire(c);
                }
            }
            if (cofiring != null) {
                cofiring.endRow();
            }
        }
        if (labelled) {
            this.labels.endBlock();
        }
        this.rows += rows;
    }

    /** Checks a block as {@link #add} does, counting nothing. */
    void check(long firstRow, int rows, int[] indptr, int[] indices, float[] values, int[] labels) {
        check.check(firstRow, rows, indptr, indices, values, labels, null);
    }

    private void record(int c, long row, float v) {
        fired[c]++;
        sum[c] += v;
        sumSquares[c] += (double) v * v;
        if (v > max[c]) {
            max[c] = v;
        }
        if (v < min[c]) {
            min[c] = v;
        }
        top.offer(c, topKey(v), row, v);
        samples.offer(c, mix(sampleKeys[c] + row * GOLDEN), row, v);
        int slot = bins.slot(Math.abs(v));
        histogram[(2 * c + (v < 0 ? 1 : 0)) * (bins.bins + 2) + slot]++;
    }

    /**
     * Adds the dense codes {@code codes} ({@code [rows, concepts]}, any float dtype), the first of
     * which is row {@code firstRow}, with labels as in {@link #add}: the same as adding their
     * non-zero entries as one sparse block. The codes are read once as float32, in place when they
     * are contiguous float32 already.
     */
    public void addDense(long firstRow, INDArray codes, int[] labels) {
        DenseBlock b = dense.of(codes, concepts);
        add(firstRow, b.rows, b.indptr, b.indices, b.values, labels);
    }

    /**
     * Adds everything {@code other} saw; it must have the same settings, and the caller ensures that
     * the two saw disjoint rows. Everything but the label summaries then equals one pass over both
     * streams (sums up to rounding); the label summaries merge by the Misra-Gries merge.
     */
    public void merge(ConceptStatistics other) {
        if (other == this) {
            throw new IllegalArgumentException(
                    "cannot merge statistics into themselves: they would count each row twice");
        }
        if (!other.settings.equals(settings)) {
            throw new IllegalArgumentException("cannot merge statistics gathered with other settings: "
                    + settings.differences(other.settings)
                    + "; gather both with the same settings");
        }
        rows = Math.addExact(rows, other.rows);
        for (int c = 0; c < concepts; c++) {
            fired[c] += other.fired[c];
            sum[c] += other.sum[c];
            sumSquares[c] += other.sumSquares[c];
            max[c] = Math.max(max[c], other.max[c]);
            min[c] = Math.min(min[c], other.min[c]);
        }
        for (int k = 0; k < histogram.length; k++) {
            histogram[k] += other.histogram[k];
        }
        top.mergeFrom(other.top);
        samples.mergeFrom(other.samples);
        if (labels != null) {
            labels.mergeFrom(other.labels);
        }
        if (cofiring != null) {
            cofiring.mergeFrom(other.cofiring);
        }
    }

    /** How many rows concept {@code c} fired on. */
    public long fired(int c) {
        return fired[concept(c)];
    }

    /** The fraction of rows concept {@code c} fired on; NaN before any row. */
    public double density(int c) {
        return rows == 0 ? Double.NaN : fired[concept(c)] / (double) rows;
    }

    /** The mean of concept {@code c}'s non-zero values; NaN if it never fired. */
    public double mean(int c) {
        return fired[concept(c)] == 0 ? Double.NaN : sum[c] / fired[c];
    }

    /** The (population) standard deviation of concept {@code c}'s non-zero values; NaN if it never fired. */
    public double std(int c) {
        double mean = mean(c);
        return Double.isNaN(mean) ? Double.NaN : Math.sqrt(Math.max(0, sumSquares[c] / fired[c] - mean * mean));
    }

    /** Concept {@code c}'s largest non-zero value; NaN if it never fired. */
    public double max(int c) {
        return fired[concept(c)] == 0 ? Double.NaN : max[c];
    }

    /** Concept {@code c}'s smallest non-zero value; NaN if it never fired. */
    public double min(int c) {
        return fired[concept(c)] == 0 ? Double.NaN : min[c];
    }

    /** Concept {@code c}'s {@code top} largest values with their rows, largest first (ties: lower row first). */
    public List<Hit> top(int c) {
        return top.hits(concept(c));
    }

    /**
     * Concept {@code c}'s sample of the rows it fired on: {@code samples} of them (all of them if it
     * fired less often), chosen uniformly and reproducibly by {@link #priority}, sorted by value
     * ascending (ties: lower row first), so that position {@code q * (size - 1)} shows quantile
     * {@code q} of its values.
     */
    public List<Hit> samples(int c) {
        List<Hit> hits = samples.hits(concept(c));
        hits.sort(Comparator.comparingDouble(Hit::value).thenComparingLong(Hit::row));
        return hits;
    }

    /** The histogram of concept {@code c}'s non-zero values, by magnitude. */
    public Histogram histogram(int c) {
        return bins.histogram(histogram, 2 * concept(c) * (bins.bins + 2));
    }

    /**
     * The labels of the rows concept {@code c} fired on, as its Misra-Gries summary counts them, most
     * frequent first (ties: lower label first); empty if {@code labelSlots} is 0. Each count is exact
     * while the concept fired on at most {@code labelSlots} distinct labels, and otherwise short by at
     * most {@link #labelError}; a label missing here fired at most that many times.
     */
    public List<LabelCount> labels(int c) {
        concept(c);
        return labels == null ? new ArrayList<>() : labels.list(c);
    }

    /** The most any of concept {@code c}'s {@link #labels} counts may be short by; 0 while they are exact. */
    public long labelError(int c) {
        concept(c);
        return labels == null ? 0 : labels.errors[c];
    }

    /**
     * The number of rows concepts {@code i} and {@code j} both fired on ({@link #fired} for
     * {@code i == j}); counts saturate at {@link Integer#MAX_VALUE}.
     *
     * @throws IllegalStateException if the settings turned co-firing off
     */
    public long cofired(int i, int j) {
        concept(i);
        concept(j);
        if (i == j) {
            return fired[i];
        }
        if (cofiring == null) {
            throw new IllegalStateException("co-firing was not counted: gather the statistics with withCofiring(true)");
        }
        return cofiring.count(i, j);
    }

    /**
     * The (at most) {@code n} concepts that fire most like concept {@code c}: those it fired with at
     * least once, by Jaccard index {@code cofired / (fired(c) + fired(j) - cofired)} descending, then
     * by count descending, then by concept; empty if co-firing was not counted.
     */
    public List<CoFiring> cofiring(int c, int n) {
        concept(c);
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        return cofiring == null ? List.of() : cofiring.partners(c, n, fired);
    }

    /** Writes everything to {@code file}, atomically: the file is complete or, after a failure, as it was. */
    public void write(Path file) throws IOException {
        StatisticsFile.write(this, file);
    }

    /**
     * Statistics written by {@link #write}, exactly as they were.
     *
     * @throws MalformedFileException if the file is not such statistics (a wrong magic string or
     *     version, invalid settings, sizes that do not match the file's length, inconsistent counts)
     */
    public static ConceptStatistics read(Path file) throws IOException {
        return StatisticsFile.read(file);
    }

    /**
     * The sampling priority of (concept, row) under {@code seed}: each concept keeps the rows of
     * smallest priority (signed order; ties to the lower row) among those it fired on. A splitmix64
     * hash, so the kept rows are a uniform sample, the same for any order or partition of the rows.
     */
    public static long priority(long seed, int concept, long row) {
        return mix(conceptKey(seed, concept) + row * GOLDEN);
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private static long conceptKey(long seed, int concept) {
        return mix(seed ^ mix(concept + GOLDEN));
    }

    /** splitmix64's finaliser: a bijection of the 64-bit words whose output bits all depend on every input bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The top-hit key of {@code v}: smaller for larger values, so the heap keeps the largest. */
    static long topKey(float v) {
        int bits = Float.floatToRawIntBits(v);
        return -(long) (bits ^ ((bits >> 31) & 0x7FFFFFFF));
    }

    /** The sample key of concept {@code c} at {@code row}: {@link #priority}. */
    long sampleKey(int c, long row) {
        return mix(sampleKeys[c] + row * GOLDEN);
    }

    private int concept(int c) {
        if (c < 0 || c >= concepts) {
            throw new IllegalArgumentException("concept " + c + " is outside 0.." + (concepts - 1));
        }
        return c;
    }

    /** Recomputes the heap keys of the kept top values and samples, and their heap order, after a read. */
    void restoreHeaps() {
        for (int c = 0; c < concepts; c++) {
            for (int k = c * top.capacity; k < c * top.capacity + top.sizes[c]; k++) {
                top.keys[k] = topKey(top.values[k]);
            }
            for (int k = c * samples.capacity; k < c * samples.capacity + samples.sizes[c]; k++) {
                samples.keys[k] = sampleKey(c, samples.rows[k]);
            }
            top.heapify(c);
            samples.heapify(c);
        }
    }

    /**
     * Whether {@code o} holds exactly the same statistics: the same settings and rows, bit-identical
     * sums and extremes, the same counts and the same kept entries (in whatever heap order). Two
     * passes over the same blocks are equal; a merge equals one pass up to the rounding of the sums.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConceptStatistics s && s.settings.equals(settings) && s.rows == rows)) {
            return false;
        }
        boolean same = Arrays.equals(fired, s.fired)
                && Arrays.equals(sum, s.sum)
                && Arrays.equals(sumSquares, s.sumSquares)
                && Arrays.equals(max, s.max)
                && Arrays.equals(min, s.min)
                && Arrays.equals(histogram, s.histogram)
                && top.sameEntries(s.top)
                && samples.sameEntries(s.samples)
                && (cofiring == null || Arrays.equals(cofiring.counts(), s.cofiring.counts()));
        for (int c = 0; same && labels != null && c < concepts; c++) {
            int from = c * labels.slots;
            int to = from + labels.sizes[c];
            same = labels.sizes[c] == s.labels.sizes[c]
                    && labels.errors[c] == s.labels.errors[c]
                    && Arrays.equals(labels.labels, from, to, s.labels.labels, from, to)
                    && Arrays.equals(labels.counts, from, to, s.labels.counts, from, to)
                    && Arrays.equals(labels.sums, from, to, s.labels.sums, from, to);
        }
        return same;
    }

    @Override
    public int hashCode() {
        return 31 * settings.hashCode() + Long.hashCode(rows) + 17 * Arrays.hashCode(fired);
    }

    @Override
    public String toString() {
        return "ConceptStatistics[" + concepts + " concepts, " + rows + " rows, " + settings + "]";
    }
}
