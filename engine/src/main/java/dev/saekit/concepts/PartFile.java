package dev.saekit.concepts;

import dev.saekit.files.AtomicFiles;
import dev.saekit.io.MalformedFileException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The bytes of a {@link StatisticsPart}, little-endian ({@code C} concepts, {@code L} a node's label
 * counters, the sum of its sizes):
 *
 * <pre>
 * offset  type        field
 *  0      byte[8]     magic "SAEKITSP"
 *  8      int32       format version, 1
 * 12      int32       segmentRows
 * 16      int32       R, the ranges of rows held
 * 20      int64[2R]   each range's first row and the row after its last, in row order
 *         int64       B, the bytes of the statistics that follow
 *         byte[B]     the part's {@link ConceptStatistics} file: every exact statistic of its rows,
 *                     zero sums and no label counters
 *         int32       nodes, then per node in row order:
 *           int32 level;  int64 index;  float64[C] sums;  float64[C] sums of squares
 *           int32[C] label sizes;  int64[C] label errors;  int32[L] labels;  int64[L] counts;
 *           float64[L] label sums                           (label fields only if labelSlots > 0)
 * </pre>
 *
 * <p>Reading checks, besides the statistics (as {@link StatisticsFile} does), that the ranges are
 * disjoint, start at segments and hold the statistics' rows, that the nodes are whole nodes of the
 * segments' tree that cover the ranges' segments left to right with no two siblings left unjoined,
 * and that their label counters are positive and in ascending label order.
 */
final class PartFile {
    static final byte[] MAGIC = "SAEKITSP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private PartFile() {}

    static byte[] toBytes(StatisticsPart p) {
        long size = bytes(p);
        if (size > ConceptStatistics.MAX_ARRAY) {
            throw new IllegalStateException("this part is " + size + " bytes, more than one byte array holds: write it"
                    + " to a file (write) instead");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) size);
        try {
            StatisticsFile.Out out = new StatisticsFile.Out(Channels.newChannel(bytes));
            write(p, out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    static void write(StatisticsPart p, Path file) throws IOException {
        AtomicFiles.write(file, ch -> {
            StatisticsFile.Out out = new StatisticsFile.Out(ch);
            write(p, out);
            out.flush();
        });
    }

    private static long bytes(StatisticsPart p) {
        int concepts = p.body.concepts();
        long size = 28 + 16L * p.ranges.size() + StatisticsFile.bytes(p.body) + 4;
        for (SegmentNode n : p.nodes) {
            size += 12 + 16L * concepts;
            if (n.labels != null) {
                size += 12L * concepts;
                for (int c = 0; c < concepts; c++) {
                    size += 20L * n.labels.sizes[c];
                }
            }
        }
        return size;
    }

    private static void write(StatisticsPart p, StatisticsFile.Out out) throws IOException {
        out.bytes(MAGIC);
        out.i32(VERSION);
        out.i32(p.segmentRows);
        out.i32(p.ranges.size());
        for (long[] r : p.ranges) {
            out.i64(r[0]);
            out.i64(r[1]);
        }
        out.i64(StatisticsFile.bytes(p.body));
        StatisticsFile.write(p.body, out);
        out.i32(p.nodes.size());
        for (SegmentNode n : p.nodes) {
            out.i32(n.level);
            out.i64(n.index);
            out.f64s(n.sum);
            out.f64s(n.sumSquares);
            if (n.labels != null) {
                LabelSummaries l = n.labels;
                out.i32s(l.sizes, 0, l.sizes.length);
                out.i64s(l.errors, 0, l.errors.length);
                for (int c = 0; c < l.sizes.length; c++) {
                    out.i32s(l.labels, c * l.slots, l.sizes[c]);
                }
                for (int c = 0; c < l.sizes.length; c++) {
                    out.i64s(l.counts, c * l.slots, l.sizes[c]);
                }
                for (int c = 0; c < l.sizes.length; c++) {
                    for (int k = c * l.slots; k < c * l.slots + l.sizes[c]; k++) {
                        out.f64(l.sums[k]);
                    }
                }
            }
        }
    }

    static StatisticsPart fromBytes(byte[] bytes) throws MalformedFileException {
        try {
            return read(
                    new StatisticsFile.In(Channels.newChannel(new ByteArrayInputStream(bytes)), "statistics part"),
                    bytes.length);
        } catch (MalformedFileException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    static StatisticsPart read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new MalformedFileException(
                    file.toString(), "is not a regular file; a statistics part is read from one");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(new StatisticsFile.In(ch, file.toString()), ch.size());
        }
    }

    private static StatisticsPart read(StatisticsFile.In in, long size) throws IOException {
        if (size < 20) {
            throw in.malformed("is " + size + " bytes, shorter than the header of a saekit statistics part");
        }
        if (!Arrays.equals(in.bytes(MAGIC.length), MAGIC)) {
            throw in.malformed("does not start with \"SAEKITSP\", the magic string of a saekit statistics part");
        }
        int version = in.i32();
        if (version != VERSION) {
            throw in.malformed("is format version " + version + " of a saekit statistics part; this saekit reads"
                    + " version " + VERSION);
        }
        int segmentRows = in.i32();
        int count = in.i32();
        if (segmentRows < 1 || count < 1 || count > (size - 20) / 16) {
            throw in.malformed("declares segments of " + segmentRows + " rows and " + count + " ranges of rows");
        }
        long[][] ranges = new long[count][];
        long held = 0;
        for (int i = 0; i < count; i++) {
            long start = in.i64();
            long end = in.i64();
            boolean follows = i == 0 ? start >= 0 : start > ranges[i - 1][1];
            if (!follows || end < start || (end == start && count > 1) || start % segmentRows != 0) {
                throw in.malformed("declares rows [" + start + ", " + end + ") as range " + i + "; ranges start at a"
                        + " multiple of segmentRows=" + segmentRows + ", after the one before and a row apart");
            }
            ranges[i] = new long[] {start, end};
            held += end - start;
        }
        long bodyBytes = in.i64();
        long expected = 28 + 16L * count;
        if (bodyBytes < 0 || bodyBytes > size - expected - 4) {
            throw in.malformed("declares " + bodyBytes + " bytes of statistics in a file of " + size);
        }
        ConceptStatistics body = StatisticsFile.read(in, bodyBytes);
        if (body.rows != held) {
            throw in.malformed("holds statistics of " + body.rows + " rows, but its ranges hold " + held);
        }
        StatisticsPart p = new StatisticsPart(body, segmentRows, ranges[0][0]);
        p.ranges.clear();
        p.ranges.addAll(Arrays.asList(ranges));
        p.closedEnd = p.endRow();
        expected += bodyBytes + 4;
        int nodes = in.i32();
        int range = 0; // the range whose segments the next node starts in
        long next = ranges[0][0] / segmentRows; // the first segment the next node covers
        int concepts = body.concepts();
        int slots = body.settings().labelSlots();
        for (int i = 0; i < nodes; i++) {
            int level = in.i32();
            long index = in.i64();
            if (level < 0 || level > 62 || index < 0 || index > (Long.MAX_VALUE >> level) - 1) {
                throw in.malformed("node " + i + " is at level " + level + ", index " + index);
            }
            long from = index << level;
            if (range < count && next == segmentsEnd(ranges[range], segmentRows) && range + 1 < count) {
                range++;
                next = ranges[range][0] / segmentRows;
            }
            if (range >= count || from != next || ((index + 1) << level) > segmentsEnd(ranges[range], segmentRows)) {
                throw in.malformed("node " + i + " (level " + level + ", index " + index + ") is not the next node of"
                        + " the segments' tree in the part's rows " + p.covers());
            }
            next = (index + 1) << level;
            double[] sum = new double[concepts];
            double[] squares = new double[concepts];
            in.f64s(sum, concepts);
            in.f64s(squares, concepts);
            expected += 12 + 16L * concepts;
            LabelSummaries labels = null;
            if (slots > 0) {
                labels = new LabelSummaries(concepts, slots);
                in.i32s(labels.sizes, concepts);
                in.i64s(labels.errors, concepts);
                long counters = 0;
                for (int c = 0; c < concepts; c++) {
                    if (labels.sizes[c] < 0 || labels.sizes[c] > slots || labels.errors[c] < 0) {
                        throw in.malformed("node " + i + " keeps " + labels.sizes[c] + " label counters (error "
                                + labels.errors[c] + ") for concept " + c + ", not in 0.." + slots);
                    }
                    counters += labels.sizes[c];
                }
                expected += 12L * concepts + 20 * counters;
                if (expected > size) {
                    throw in.malformed("declares more label counters than its " + size + " bytes hold");
                }
                for (int c = 0; c < concepts; c++) {
                    in.i32s(labels.labels, c * slots, labels.sizes[c]);
                }
                for (int c = 0; c < concepts; c++) {
                    in.i64s(labels.counts, c * slots, labels.sizes[c]);
                }
                for (int c = 0; c < concepts; c++) {
                    in.f64s(labels.sums, c * slots, labels.sizes[c]);
                }
                for (int c = 0; c < concepts; c++) {
                    for (int k = c * slots; k < c * slots + labels.sizes[c]; k++) {
                        if (labels.counts[k] <= 0 || (k > c * slots && labels.labels[k] <= labels.labels[k - 1])) {
                            throw in.malformed("node " + i + "'s label counters of concept " + c
                                    + " are not positive counts in ascending label order");
                        }
                    }
                }
            }
            SegmentNode n = new SegmentNode(level, index, sum, squares, labels);
            if (i > 0 && p.nodes.get(i - 1).leftSiblingOf(n)) {
                throw in.malformed("nodes " + (i - 1) + " and " + i + " are siblings that were not joined");
            }
            p.nodes.add(n);
        }
        long segments = segmentsEnd(ranges[count - 1], segmentRows);
        if (range != count - 1 || next != segments) {
            throw in.malformed(
                    "its nodes end at segment " + next + ", but its rows " + p.covers() + " reach segment " + segments);
        }
        if (expected != size) {
            throw in.malformed("should be " + expected + " bytes, but it is " + size);
        }
        return p;
    }

    /** The segment after the last one that rows {@code r} reach (its first one if {@code r} is empty). */
    private static long segmentsEnd(long[] r, int segmentRows) {
        return r[1] == r[0] ? r[0] / segmentRows : (r[1] + segmentRows - 1) / segmentRows;
    }
}
