package dev.saekit.concepts;

import dev.saekit.concepts.ConceptStatistics.Settings;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The concept statistics of some rows (a range, or after {@link #merge} several), kept so that the
 * statistics of all rows come out bit for bit the same however the rows were cut into parts and in
 * whatever order the parts are merged: one pass over every row, parts scanned on several machines
 * and reduced in any order, a pass saved and continued.
 *
 * <p>Most of {@link ConceptStatistics} merges exactly (counts, extremes, top values, samples,
 * histograms, co-firing), but two parts do not: the sums of a concept's values and squares are
 * rounded on every addition, and its label summary's Misra-Gries merge is symmetric but not
 * associative. So rows are cut into <em>segments</em> of {@code segmentRows} rows (the last one may
 * be shorter), a fixed part of the definition: segment {@code k} holds rows {@code [k *
 * segmentRows, (k + 1) * segmentRows)}. Each segment sums its values in row order from zero and
 * sums its labels exactly before it summarises them once; the segments then combine up a fixed
 * binary tree (segments {@code 2j} and {@code 2j + 1} make node {@code j} of the level above, and at
 * the end a node without a right sibling goes up alone). A part keeps the largest nodes its
 * segments complete, and a merge joins two nodes as soon as both halves of their parent are
 * present. Every addition and label merge thus happens between the same operands whatever the
 * parts and the order of merges, and both are symmetric: {@link #merge} is exactly associative and
 * commutative.
 *
 * <p>A part starts at a segment's first row and takes its rows in order ({@link #add}); it may end
 * anywhere, but a part that ends inside a segment must hold the last rows of the data: once it is
 * {@linkplain #toBytes written} or merged, that segment is closed. Parts travel as bytes ({@link
 * #toBytes}, {@link #fromBytes}, Java serialization) or files ({@link #write}, {@link #read}); they
 * merge pairwise in any order (a cluster's tree reduce), and {@link #combine} and {@link #finish}
 * check that the rows merged tile {@code [0, rows)} exactly. A machine scanning rows {@code [from,
 * to)}:
 *
 * <pre>{@code
 * StatisticsPart part = StatisticsPart.starting(settings, segmentRows, from); // from % segmentRows == 0
 * for (each block of rows, in order, from `from` up to `to`)
 *     part.add(first, n, indptr, indices, values, labels);
 * byte[] sent = part.toBytes();
 * // where the parts meet, in any order and grouping:
 * ConceptStatistics all = StatisticsPart.combine(parts, rows); // or a.merge(b) ..., then finish(rows)
 * }</pre>
 *
 * <p>Memory: a {@link ConceptStatistics} for the part, the labelled entries of the open segment, and
 * the sums and label summaries of its tree nodes (at most {@code log2(segments) + 1} per range of
 * rows). Not thread-safe.
 */
public final class StatisticsPart implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The segment size {@link #starting} is usually given: 8 blocks of 1024 rows. */
    public static final int DEFAULT_SEGMENT_ROWS = 8192;

    final int segmentRows;
    /** The rows covered: disjoint {@code [start, end)} ranges in row order, none empty (but a new part's one). */
    final transient List<long[]> ranges = new ArrayList<>();
    /** Everything that merges exactly, for all the part's rows; sums of the open segment's rows; labels unused. */
    final transient ConceptStatistics body;
    /** The closed segments' sums and label summaries, as maximal tree nodes in row order. */
    final transient List<SegmentNode> nodes = new ArrayList<>();
    /** Where the closed segments end: the open segment is {@code [closedEnd, endRow())}. */
    transient long closedEnd;

    private transient int[] entryConcepts = new int[0];
    private transient int[] entryLabels = new int[0];
    private transient float[] entryValues = new float[0];
    private transient int entries;
    private transient LabelSummaries scratch;
    /** Nodes absorbed into others, whose arrays the next segments reuse. */
    private transient List<SegmentNode> free = new ArrayList<>();

    private transient DenseBlock dense;
    private transient boolean spent;

    StatisticsPart(ConceptStatistics body, int segmentRows, long firstRow) {
        this.body = body;
        this.segmentRows = segmentRows;
        this.ranges.add(new long[] {firstRow, firstRow});
        this.closedEnd = firstRow;
    }

    /**
     * An empty part that starts at row {@code firstRow}, a multiple of {@code segmentRows}.
     *
     * @throws IllegalArgumentException if {@code segmentRows < 1}, {@code firstRow < 0} or not at a segment's start
     */
    public static StatisticsPart starting(Settings settings, int segmentRows, long firstRow) {
        if (segmentRows < 1) {
            throw new IllegalArgumentException("segmentRows must be >= 1, was " + segmentRows);
        }
        if (firstRow < 0 || firstRow % segmentRows != 0) {
            throw new IllegalArgumentException("a part starts at the first row of a segment, a multiple of segmentRows="
                    + segmentRows + " from 0; firstRow was " + firstRow);
        }
        return new StatisticsPart(new ConceptStatistics(settings), segmentRows, firstRow);
    }

    public Settings settings() {
        return body.settings();
    }

    /** Rows per segment, the unit in which sums and label summaries are defined. */
    public int segmentRows() {
        return segmentRows;
    }

    /** The part's first row. */
    public long firstRow() {
        return ranges.get(0)[0];
    }

    /** The row after the part's last; the next {@link #add} starts there. */
    public long endRow() {
        return ranges.get(ranges.size() - 1)[1];
    }

    /** The rows it holds, all of {@code [firstRow(), endRow())} unless merges left gaps ({@link #covers}). */
    public long rows() {
        return body.rows;
    }

    /** The rows it holds, as ranges: {@code "[0, 8192) [16384, 20000)"}. */
    public String covers() {
        StringBuilder b = new StringBuilder();
        for (long[] r : ranges) {
            b.append(b.length() == 0 ? "" : " ")
                    .append('[')
                    .append(r[0])
                    .append(", ")
                    .append(r[1])
                    .append(')');
        }
        return b.toString();
    }

    /**
     * Adds the next rows, {@code [firstRow, firstRow + rows)} with {@code firstRow == endRow()}, as
     * {@link ConceptStatistics#add} takes them (compressed sparse rows, labels or null). A block may
     * span segments. A bad block is refused whole and leaves the part as it was.
     *
     * @throws IllegalArgumentException for a malformed block or rows that do not follow on
     * @throws IllegalStateException if the part was ended inside a segment, or used up by {@link #combine}
     */
    public void add(long firstRow, int rows, int[] indptr, int[] indices, float[] values, int[] labels) {
        usable();
        if (firstRow != endRow()) {
            throw new IllegalArgumentException("a part takes its rows in order: it covers rows " + covers()
                    + ", so its next block starts at row " + endRow() + ", not " + firstRow);
        }
        if (closedEnd == endRow() && closedEnd % segmentRows != 0 && rows > 0) {
            throw new IllegalStateException(
                    "this part was ended inside segment " + closedEnd / segmentRows + " (at row "
                            + closedEnd + ") when it was written or combined; only the part holding the last rows ends"
                            + " there, so no rows may follow");
        }
        long segmentEnd = (endRow() / segmentRows + 1) * segmentRows;
        if (rows < 0 || rows > segmentEnd - endRow() || (labels != null && labels.length < rows)) {
            body.check(firstRow, rows, indptr, indices, values, labels); // all of it before any is counted
        }
        boolean labelled = labels != null && settings().labelSlots() > 0;
        for (int r = 0; r < rows; ) {
            int n = (int) Math.min(rows - r, (endRow() / segmentRows + 1) * segmentRows - endRow());
            int[] ptr = r == 0 && n == rows ? indptr : Arrays.copyOfRange(indptr, r, r + n + 1);
            body.add(endRow(), n, ptr, indices, values, null);
            ranges.get(ranges.size() - 1)[1] += n;
            if (labelled) {
                keepLabels(r, n, indptr, indices, values, labels);
            }
            r += n;
            if (endRow() % segmentRows == 0) {
                closeSegment();
            }
        }
    }

    /** Adds dense codes {@code [rows, concepts]}, the first of them row {@code firstRow == endRow()}, as {@link #add}. */
    public void addDense(long firstRow, INDArray codes, int[] labels) {
        if (dense == null) {
            dense = new DenseBlock();
        }
        DenseBlock b = dense.of(codes, body.concepts());
        add(firstRow, b.rows, b.indptr, b.indices, b.values, labels);
    }

    /** Keeps the open segment's labelled entries of block rows {@code [from, from + n)}, to be summed exactly when it closes. */
    private void keepLabels(int from, int n, int[] indptr, int[] indices, float[] values, int[] labels) {
        int more = indptr[from + n] - indptr[from];
        if (entries + more > entryConcepts.length) {
            int grown = (int) Math.min(ConceptStatistics.MAX_ARRAY, Math.max(1024, 2L * (entries + more)));
            entryConcepts = Arrays.copyOf(entryConcepts, grown);
            entryLabels = Arrays.copyOf(entryLabels, grown);
            entryValues = Arrays.copyOf(entryValues, grown);
        }
        for (int r = from; r < from + n; r++) {
            for (int e = indptr[r]; e < indptr[r + 1]; e++) {
                if (values[e] != 0) {
                    entryConcepts[entries] = indices[e];
                    entryLabels[entries] = labels[r];
                    entryValues[entries++] = values[e];
                }
            }
        }
    }

    /** Turns the open segment, if it has rows, into a tree node: its sums, and its labels summed exactly then summarised. */
    void closeSegment() {
        if (closedEnd == endRow()) {
            return;
        }
        if (settings().labelSlots() > 0) {
            if (scratch == null) {
                scratch = new LabelSummaries(body.concepts(), settings().labelSlots());
            }
            scratch.clear();
            scratch.startBlock();
            for (int e = 0; e < entries; e++) {
                scratch.count(entryConcepts[e]);
            }
            scratch.startFilling();
            for (int e = 0; e < entries; e++) {
                scratch.put(entryConcepts[e], entryLabels[e], entryValues[e]);
            }
            scratch.endBlock();
        }
        SegmentNode n;
        if (free.isEmpty()) {
            n = new SegmentNode(
                    0,
                    0,
                    new double[body.concepts()],
                    new double[body.concepts()],
                    settings().labelSlots() > 0
                            ? new LabelSummaries(body.concepts(), settings().labelSlots())
                            : null);
        } else {
            n = free.remove(free.size() - 1);
        }
        n.level = 0;
        n.index = closedEnd / segmentRows;
        System.arraycopy(body.sum, 0, n.sum, 0, n.sum.length);
        System.arraycopy(body.sumSquares, 0, n.sumSquares, 0, n.sumSquares.length);
        if (n.labels != null) {
            n.labels.copyFrom(scratch);
        }
        Arrays.fill(body.sum, 0);
        Arrays.fill(body.sumSquares, 0);
        entries = 0;
        closedEnd = endRow();
        push(n);
    }

    /** Appends a node after the others, joining it with its left sibling (and so on up) where that is the last node. */
    void push(SegmentNode n) {
        nodes.add(n);
        while (nodes.size() >= 2 && nodes.get(nodes.size() - 2).leftSiblingOf(nodes.get(nodes.size() - 1))) {
            SegmentNode right = nodes.remove(nodes.size() - 1);
            SegmentNode left = nodes.get(nodes.size() - 1);
            left.absorb(right);
            left.level++;
            left.index /= 2;
            free.add(right);
        }
    }

    /**
     * Adds everything {@code other} holds (rows this part does not hold, gathered with the same
     * settings and segment size) and uses {@code other} up. Exactly associative and commutative:
     * parts merged in any order and grouping hold the same bits. Both parts' open segments are
     * closed first (see {@link #toBytes}).
     *
     * @throws IllegalArgumentException if the parts share rows or were gathered differently
     * @throws IllegalStateException if either was used up
     */
    public StatisticsPart merge(StatisticsPart other) {
        usable();
        other.usable();
        if (other == this) {
            throw new IllegalArgumentException("cannot merge a part into itself: it would count its rows twice");
        }
        if (other.segmentRows != segmentRows || !other.settings().equals(settings())) {
            throw new IllegalArgumentException("parts of rows " + covers() + " and " + other.covers()
                    + " were gathered differently ("
                    + (other.segmentRows != segmentRows
                            ? "segmentRows=" + segmentRows + " vs " + other.segmentRows
                            : settings().differences(other.settings()))
                    + "); gather every part with the same settings and segment size");
        }
        for (long[] a : ranges) {
            for (long[] b : other.ranges) {
                if (Math.max(a[0], b[0]) < Math.min(a[1], b[1])) {
                    throw new IllegalArgumentException("rows [" + Math.max(a[0], b[0]) + ", " + Math.min(a[1], b[1])
                            + ") are in two parts (" + covers() + " and " + other.covers()
                            + "): parts must not overlap");
                }
            }
        }
        closeSegment();
        other.closeSegment();
        body.merge(other.body); // the exact statistics; both parts' open sums are zero now
        List<SegmentNode> all = new ArrayList<>(nodes);
        all.addAll(other.nodes);
        all.sort(Comparator.comparingLong(n -> n.index << n.level));
        nodes.clear();
        for (SegmentNode n : all) {
            push(n);
        }
        List<long[]> rows = new ArrayList<>();
        for (long[] r : ranges) {
            rows.add(r);
        }
        for (long[] r : other.ranges) {
            rows.add(r.clone());
        }
        rows.removeIf(r -> r[0] == r[1]);
        rows.sort(Comparator.comparingLong(r -> r[0]));
        long[] kept = ranges.get(0);
        ranges.clear();
        for (long[] r : rows) {
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == r[0]) {
                ranges.get(ranges.size() - 1)[1] = r[1];
            } else {
                ranges.add(r);
            }
        }
        if (ranges.isEmpty()) {
            ranges.add(kept); // no rows on either side
        }
        closedEnd = endRow();
        other.spent = true;
        return this;
    }

    /**
     * The statistics of rows {@code [0, rows)}, from the part that holds exactly them (a single pass,
     * or parts merged): those of one pass over them. The part is used up, and its statistics are
     * returned, not copied.
     *
     * @throws IllegalArgumentException if the part leaves rows out or holds rows past {@code rows}
     */
    public ConceptStatistics finish(long rows) {
        usable();
        tiles(rows);
        closeSegment();
        spent = true;
        if (nodes.isEmpty()) {
            return body;
        }
        SegmentNode root = nodes.get(nodes.size() - 1);
        for (int i = nodes.size() - 2; i >= 0; i--) { // the nodes left are the tree's right spine, bottom up
            nodes.get(i).absorb(root);
            root = nodes.get(i);
        }
        System.arraycopy(root.sum, 0, body.sum, 0, root.sum.length);
        System.arraycopy(root.sumSquares, 0, body.sumSquares, 0, root.sumSquares.length);
        if (root.labels != null) {
            body.labels.copyFrom(root.labels);
        }
        nodes.clear();
        return body;
    }

    /** Refuses a part that does not hold exactly rows {@code [0, rows)}, naming the first rows missing or extra. */
    private void tiles(long rows) {
        long expected = 0;
        for (long[] r : ranges) {
            if (r[0] > expected) {
                throw new IllegalArgumentException("rows [" + expected + ", " + r[0] + ") are in no part: the parts"
                        + " must tile rows [0, " + rows + ") without a gap (they hold " + covers() + ")");
            }
            expected = r[1];
        }
        if (expected != rows) {
            throw new IllegalArgumentException(
                    expected < rows
                            ? "rows [" + expected + ", " + rows + ") are in no part: the parts end at row " + expected
                            : "the parts reach row " + expected + ", past the " + rows + " rows they should tile");
        }
    }

    /**
     * The statistics of rows {@code [0, rows)} from parts that tile them exactly, in any order (as a
     * cluster delivers them): {@link #merge} them all, then {@link #finish}; the statistics one pass
     * over the rows gives (bit for bit, {@link ConceptStatistics#equals}), whatever the cut. The
     * parts are used up: the first one's arrays become the result.
     *
     * @throws IllegalArgumentException if there are no parts, they differ in settings or segment size,
     *     or overlap, leave a gap, or do not end at row {@code rows}; the message names the rows
     */
    public static ConceptStatistics combine(Collection<StatisticsPart> parts, long rows) {
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("no parts to combine: give the parts that tile rows [0, " + rows + ")");
        }
        List<StatisticsPart> order = new ArrayList<>(parts);
        order.sort(Comparator.comparingLong(StatisticsPart::firstRow)); // for the messages; any order gives the same
        StatisticsPart all = order.get(0);
        for (StatisticsPart p : order.subList(1, order.size())) {
            all.merge(p);
        }
        return all.finish(rows);
    }

    /**
     * The part as bytes ({@link #fromBytes} reads them), after closing its open segment: a part
     * that ends inside a segment takes no more rows afterwards.
     *
     * @throws IllegalStateException if the bytes would not fit in one array: {@link #write} a file instead
     */
    public byte[] toBytes() {
        usable();
        closeSegment();
        return PartFile.toBytes(this);
    }

    /** The part {@link #toBytes} wrote, checked as {@link #read} checks a file. */
    public static StatisticsPart fromBytes(byte[] bytes) throws MalformedFileException {
        return PartFile.fromBytes(bytes);
    }

    /** Writes the part to {@code file} atomically, after closing its open segment (see {@link #toBytes}). */
    public void write(Path file) throws IOException {
        usable();
        closeSegment();
        PartFile.write(this, file);
    }

    /**
     * The part {@link #write} wrote.
     *
     * @throws MalformedFileException if the file is not such a part (magic, version, sizes, a tree of
     *     segments that does not cover its rows, statistics that do not hold together)
     */
    public static StatisticsPart read(Path file) throws IOException {
        return PartFile.read(file);
    }

    private void usable() {
        if (spent) {
            throw new IllegalStateException("this part of rows " + covers()
                    + " was used up by merge or finish; its statistics live on in their result");
        }
    }

    @Override
    public String toString() {
        return "StatisticsPart[rows " + covers() + ", segmentRows " + segmentRows + ", " + body.settings() + "]";
    }

    @Serial
    private Object writeReplace() {
        return new Bytes(toBytes());
    }

    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a StatisticsPart is serialized as its bytes");
    }

    /** The serialized form: {@link #toBytes}. */
    private record Bytes(byte[] bytes) implements Serializable {
        @Serial
        private Object readResolve() throws ObjectStreamException {
            try {
                return fromBytes(bytes);
            } catch (MalformedFileException e) {
                InvalidObjectException bad = new InvalidObjectException(e.getMessage());
                bad.initCause(e);
                throw bad;
            }
        }
    }
}
