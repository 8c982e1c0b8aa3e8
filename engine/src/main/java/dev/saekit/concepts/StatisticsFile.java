package dev.saekit.concepts;

import dev.saekit.concepts.ConceptStatistics.Settings;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * The file of {@link ConceptStatistics}, in the layout its class documentation gives. Reading
 * trusts nothing: the header is checked (magic, version, settings) and the sizes it implies are
 * compared with the file's length, with exact arithmetic, before any array is allocated; then the
 * per-concept sizes are checked and the remaining length compared again, and finally the contents
 * are checked for consistency (sizes that match the fired counts, histograms that add up to them,
 * label counters in ascending order). Every defect is a {@link MalformedFileException}.
 */
final class StatisticsFile {
    static final byte[] MAGIC = "SAEKITCS".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 60;

    private StatisticsFile() {}

    static void write(ConceptStatistics s, Path file) throws IOException {
        AtomicFiles.write(file, ch -> {
            Out out = new Out(ch);
            write(s, out);
            out.flush();
        });
    }

    /** Writes {@code s} to {@code out}, {@link #bytes} bytes, without flushing. */
    static void write(ConceptStatistics s, Out out) throws IOException {
        Settings t = s.settings();
        out.bytes(MAGIC);
        out.i32(VERSION);
        out.i32(t.concepts());
        out.i32(t.top());
        out.i32(t.samples());
        out.i64(t.seed());
        out.i32(t.labelSlots());
        out.i32(t.cofiring() ? 1 : 0);
        out.i32(t.binsPerDecade());
        out.i32(t.minExponent());
        out.i32(t.maxExponent());
        out.i64(s.rows);
        out.i64s(s.fired, 0, s.fired.length);
        out.f64s(s.sum);
        out.f64s(s.sumSquares);
        out.f32s(s.max, 0, s.max.length);
        out.f32s(s.min, 0, s.min.length);
        out.i64s(s.histogram, 0, s.histogram.length);
        out.i32s(s.top.sizes, 0, s.top.sizes.length);
        out.i32s(s.samples.sizes, 0, s.samples.sizes.length);
        if (s.labels != null) {
            out.i32s(s.labels.sizes, 0, s.labels.sizes.length);
            out.i64s(s.labels.errors, 0, s.labels.errors.length);
        }
        if (s.cofiring != null) {
            out.i32s(s.cofiring.counts(), 0, s.cofiring.counts().length);
        }
        for (BoundedHeaps h : new BoundedHeaps[] {s.top, s.samples}) {
            int[][] best =
                    new int[h.sizes.length][]; // best first, whatever the heap order: equal statistics, equal files
            for (int c = 0; c < h.sizes.length; c++) {
                best[c] = h.sorted(c);
                for (int k : best[c]) {
                    out.i64(h.rows[k]);
                }
            }
            for (int c = 0; c < h.sizes.length; c++) {
                for (int k : best[c]) {
                    out.f32(h.values[k]);
                }
            }
        }
        if (s.labels != null) {
            LabelSummaries l = s.labels;
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

    /** The length of {@code s}'s file. */
    static long bytes(ConceptStatistics s) {
        long entries = 12L * (sum(s.top.sizes) + sum(s.samples.sizes));
        if (s.labels != null) {
            entries += 20L * sum(s.labels.sizes);
        }
        return fixedBytes(s.settings()) + entries;
    }

    private static long sum(int[] v) {
        long t = 0;
        for (int x : v) {
            t += x;
        }
        return t;
    }

    /** The bytes of everything but the kept entries, which {@code t} fixes. */
    static long fixedBytes(Settings t) {
        long c = t.concepts();
        long slots = 2L * ((long) (t.maxExponent() - t.minExponent()) * t.binsPerDecade() + 2);
        long bytes = HEADER_BYTES + c * (8 + 8 + 8 + 4 + 4 + 4 + 4) + Math.multiplyExact(c * slots, 8L);
        if (t.labelSlots() > 0) {
            bytes += c * (4 + 8);
        }
        if (t.cofiring()) {
            bytes += 4 * CoFiringCounts.pairs(t.concepts());
        }
        return bytes;
    }

    static ConceptStatistics read(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new MalformedFileException(
                    file.toString(), "is not a regular file; concept statistics are read from one");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(new In(ch, file.toString()), ch.size());
        }
    }

    /** Statistics of {@code size} bytes from {@code in}, checked as a file is. */
    static ConceptStatistics read(In in, long size) throws IOException {
        if (size < HEADER_BYTES) {
            throw in.malformed("is " + size + " bytes, shorter than the " + HEADER_BYTES
                    + "-byte header of saekit concept statistics");
        }
        byte[] magic = in.bytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw in.malformed("does not start with \"SAEKITCS\", the magic string of saekit concept statistics");
        }
        int version = in.i32();
        if (version != VERSION) {
            throw in.malformed("is format version " + version + " of saekit concept statistics; this saekit reads"
                    + " version " + VERSION);
        }
        Settings t = settings(in);
        long rows = in.i64();
        if (rows < 0) {
            throw in.malformed("declares " + rows + " rows");
        }
        long fixed = fixedBytes(t);
        if (size < fixed) {
            throw in.malformed("declares " + t + ", which needs at least " + fixed + " bytes, but the file is " + size
                    + " bytes: it is truncated or not concept statistics");
        }
        ConceptStatistics s = new ConceptStatistics(t);
        s.rows = rows;
        in.i64s(s.fired, s.fired.length);
        in.f64s(s.sum, s.sum.length);
        in.f64s(s.sumSquares, s.sumSquares.length);
        in.f32s(s.max, s.max.length);
        in.f32s(s.min, s.min.length);
        in.i64s(s.histogram, s.histogram.length);
        in.i32s(s.top.sizes, s.top.sizes.length);
        in.i32s(s.samples.sizes, s.samples.sizes.length);
        if (s.labels != null) {
            in.i32s(s.labels.sizes, s.labels.sizes.length);
            in.i64s(s.labels.errors, s.labels.errors.length);
        }
        if (s.cofiring != null) {
            in.i32s(s.cofiring.counts(), s.cofiring.counts().length);
        }
        long tops = sizes(in, s.top.sizes, t.top(), "top values");
        long samples = sizes(in, s.samples.sizes, t.samples(), "samples");
        long labels = s.labels == null ? 0 : sizes(in, s.labels.sizes, t.labelSlots(), "label counters");
        long expected = fixed + 12 * tops + 12 * samples + 20 * labels;
        if (size != expected) {
            throw in.malformed("declares " + tops + " top values, " + samples + " samples and " + labels
                    + " label counters, so it should be " + expected + " bytes, but it is " + size);
        }
        for (BoundedHeaps h : new BoundedHeaps[] {s.top, s.samples}) {
            for (int c = 0; c < h.sizes.length; c++) {
                in.i64s(h.rows, c * h.capacity, h.sizes[c]);
            }
            for (int c = 0; c < h.sizes.length; c++) {
                in.f32s(h.values, c * h.capacity, h.sizes[c]);
            }
        }
        if (s.labels != null) {
            LabelSummaries l = s.labels;
            for (int c = 0; c < l.sizes.length; c++) {
                in.i32s(l.labels, c * l.slots, l.sizes[c]);
            }
            for (int c = 0; c < l.sizes.length; c++) {
                in.i64s(l.counts, c * l.slots, l.sizes[c]);
            }
            for (int c = 0; c < l.sizes.length; c++) {
                in.f64s(l.sums, c * l.slots, l.sizes[c]);
            }
        }
        StatisticsCheck.check(s, in::malformed);
        s.restoreHeaps();
        return s;
    }

    private static Settings settings(In in) throws IOException {
        int concepts = in.i32();
        int top = in.i32();
        int samples = in.i32();
        long seed = in.i64();
        int labelSlots = in.i32();
        int cofiring = in.i32();
        int binsPerDecade = in.i32();
        int minExponent = in.i32();
        int maxExponent = in.i32();
        if (cofiring != 0 && cofiring != 1) {
            throw in.malformed("has " + cofiring + " for the co-firing flag, which is 0 or 1");
        }
        try {
            return new Settings(
                    concepts, top, samples, seed, labelSlots, cofiring == 1, binsPerDecade, minExponent, maxExponent);
        } catch (IllegalArgumentException e) {
            throw in.malformed("declares settings that are not valid: " + e.getMessage());
        }
    }

    /** The sum of {@code sizes}, each checked to be in {@code 0..capacity}. */
    private static long sizes(In in, int[] sizes, int capacity, String what) throws MalformedFileException {
        long total = 0;
        for (int c = 0; c < sizes.length; c++) {
            if (sizes[c] < 0 || sizes[c] > capacity) {
                throw in.malformed(
                        "declares " + sizes[c] + " " + what + " for concept " + c + ", not in 0.." + capacity);
            }
            total += sizes[c];
        }
        return total;
    }

    /** Little-endian values into a channel, through one buffer. */
    static final class Out {
        private final WritableByteChannel ch;
        private final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        Out(WritableByteChannel ch) {
            this.ch = ch;
        }

        private void room(int bytes) throws IOException {
            if (b.remaining() < bytes) {
                flush();
            }
        }

        void flush() throws IOException {
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            b.clear();
        }

        void bytes(byte[] v) throws IOException {
            room(v.length);
            b.put(v);
        }

        void i32(int v) throws IOException {
            room(4);
            b.putInt(v);
        }

        void i64(long v) throws IOException {
            room(8);
            b.putLong(v);
        }

        void f32(float v) throws IOException {
            room(4);
            b.putFloat(v);
        }

        void f64(double v) throws IOException {
            room(8);
            b.putDouble(v);
        }

        void i32s(int[] v, int from, int n) throws IOException {
            for (int i = from; i < from + n; i++) {
                i32(v[i]);
            }
        }

        void i64s(long[] v, int from, int n) throws IOException {
            for (int i = from; i < from + n; i++) {
                i64(v[i]);
            }
        }

        void f32s(float[] v, int from, int n) throws IOException {
            for (int i = from; i < from + n; i++) {
                room(4);
                b.putFloat(v[i]);
            }
        }

        void f64s(double[] v) throws IOException {
            for (double x : v) {
                f64(x);
            }
        }
    }

    /** Little-endian values from a channel, through one buffer; the end of the file is a {@link MalformedFileException}. */
    static final class In {
        private final ReadableByteChannel ch;
        private final String name;
        private final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private long consumed;

        In(ReadableByteChannel ch, String name) {
            this.ch = ch;
            this.name = name;
            b.limit(0);
        }

        MalformedFileException malformed(String detail) {
            return new MalformedFileException(name, detail);
        }

        private void need(int bytes) throws IOException {
            if (b.remaining() >= bytes) {
                return;
            }
            consumed += b.position();
            b.compact();
            while (b.position() < bytes) {
                if (ch.read(b) < 0) {
                    throw malformed("ends at byte " + (consumed + b.position()) + ", before its last value"
                            + " (was it changed while being read?)");
                }
            }
            b.flip();
        }

        byte[] bytes(int n) throws IOException {
            need(n);
            byte[] v = new byte[n];
            b.get(v);
            return v;
        }

        int i32() throws IOException {
            need(4);
            return b.getInt();
        }

        long i64() throws IOException {
            need(8);
            return b.getLong();
        }

        void i32s(int[] v, int n) throws IOException {
            i32s(v, 0, n);
        }

        void i32s(int[] v, int from, int n) throws IOException {
            for (int i = from; i < from + n; i++) {
                v[i] = i32();
            }
        }

        void i64s(long[] v, int n) throws IOException {
            i64s(v, 0, n);
        }

        void i64s(long[] v, int from, int n) throws IOException {
            for (int i = from; i < from + n; i++) {
                v[i] = i64();
            }
        }

        void f32s(float[] v, int n) throws IOException {
            f32s(v, 0, n);
        }

        void f32s(float[] v, int from, int n) throws IOException {
            for (int i = from; i < from + n; i++) {
                need(4);
                v[i] = b.getFloat();
            }
        }

        void f64s(double[] v, int n) throws IOException {
            f64s(v, 0, n);
        }

        void f64s(double[] v, int from, int n) throws IOException {
            for (int i = from; i < from + n; i++) {
                need(8);
                v[i] = b.getDouble();
            }
        }
    }
}
