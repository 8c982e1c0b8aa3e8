package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.concepts.ConceptStatistics.Settings;
import dev.saekit.io.MalformedFileException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statistics gathered in parts, cut anywhere at segment boundaries and combined in any order, equal
 * one pass over the rows bit for bit: sums and label summaries included, which merge exactly only
 * because both are defined per segment and combined up a fixed tree.
 */
class StatisticsPartTest {
    private static final int ROWS = 3_000;
    private static final int CONCEPTS = 40;
    private static final int SEGMENT = 128;
    /** 60 labels for 6 slots: every concept's summary prunes, so a different grouping would show. */
    private static final Settings SETTINGS =
            Settings.of(CONCEPTS).withTop(6).withSamples(10).withSeed(5).withLabelSlots(6);

    private static final SparseRows DATA = new SparseRows(11, ROWS, CONCEPTS, 60);

    @TempDir
    Path tmp;

    /** Rows {@code [from, to)} as a part, added in blocks of random sizes (1 to 300 rows, so many span segments). */
    private static StatisticsPart part(int segment, int from, int to, Random rng) {
        StatisticsPart p = StatisticsPart.starting(SETTINGS, segment, from);
        for (int r = from; r < to; ) {
            int end = Math.min(to, r + 1 + rng.nextInt(300));
            SparseRows.Csr b = DATA.csr(r, end);
            p.add(r, end - r, b.indptr(), b.indices(), b.values(), DATA.labels(r, end));
            r = end;
        }
        return p;
    }

    /** One pass over every row, in one block. */
    private static ConceptStatistics onePass(int segment) {
        StatisticsPart p = StatisticsPart.starting(SETTINGS, segment, 0);
        SparseRows.Csr b = DATA.csr(0, ROWS);
        p.add(0, ROWS, b.indptr(), b.indices(), b.values(), DATA.labels(0, ROWS));
        return p.finish(ROWS);
    }

    /** The parts cut at {@code cuts} (row numbers, ascending, the last one {@link #ROWS}), delivered shuffled. */
    private static List<StatisticsPart> parts(long seed, int... cuts) {
        Random rng = new Random(seed);
        List<StatisticsPart> parts = new ArrayList<>();
        int from = 0;
        for (int to : cuts) {
            parts.add(part(SEGMENT, from, to, rng));
            from = to;
        }
        Collections.shuffle(parts, rng);
        return parts;
    }

    private static byte[] file(ConceptStatistics s, Path at) throws IOException {
        s.write(at);
        return Files.readAllBytes(at);
    }

    /**
     * Codes of a dictionary-sized SAE: 1,024 concepts of Zipf-like popularity, 32 firing per row, over
     * 40,000 rows labelled from 5,000 tokens, cut into 7 uneven parts of whole segments of 4,096 rows
     * and combined in shuffled order.
     */
    @Test
    void partsOfRealSizedCodesCombineIntoOnePassBitForBit() throws IOException {
        int rows = 40_000;
        int concepts = 1024;
        int segment = 4096;
        Settings settings = Settings.of(concepts).withLabelSlots(16);
        Random rng = new Random(17);
        int[] indptr = new int[rows + 1];
        int[] indices = new int[rows * 32];
        float[] values = new float[rows * 32];
        int[] labels = new int[rows];
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            int[] fire = rng.ints(0, concepts)
                    .map(c -> (int) ((long) c * c / concepts)) // low concepts fire far more often
                    .distinct()
                    .limit(32)
                    .sorted()
                    .toArray();
            for (int c : fire) {
                indices[nnz] = c;
                values[nnz++] = (float) Math.abs(rng.nextGaussian()) * 3;
            }
            indptr[r + 1] = nnz;
            labels[r] = (int) (5000 * Math.pow(rng.nextDouble(), 3));
        }
        java.util.function.BiFunction<Integer, Integer, StatisticsPart> part = (from, to) -> {
            StatisticsPart p = StatisticsPart.starting(settings, segment, from);
            for (int r = from; r < to; r += 1000) {
                int n = Math.min(1000, to - r);
                p.add(
                        r,
                        n,
                        Arrays.copyOfRange(indptr, r, r + n + 1),
                        indices,
                        values,
                        Arrays.copyOfRange(labels, r, r + n));
            }
            return p;
        };
        ConceptStatistics once = part.apply(0, rows).finish(rows);
        int[] cuts = {0, 4096, 3 * 4096, 4 * 4096, 5 * 4096, 8 * 4096, 9 * 4096, rows};
        List<StatisticsPart> parts = new ArrayList<>();
        for (int i = 0; i + 1 < cuts.length; i++) {
            parts.add(StatisticsPart.fromBytes(part.apply(cuts[i], cuts[i + 1]).toBytes()));
        }
        Collections.shuffle(parts, rng);
        ConceptStatistics combined = StatisticsPart.combine(parts, rows);
        assertEquals(once, combined);
        assertArrayEquals(file(once, tmp.resolve("once.bin")), file(combined, tmp.resolve("combined.bin")));
        assertTrue(once.labelError(0) > 0, "the popular concepts' label summaries prune");
    }

    @Test
    void aPassEqualsItselfWhateverItsBlocks() {
        ConceptStatistics once = onePass(SEGMENT);
        assertEquals(once, part(SEGMENT, 0, ROWS, new Random(1)).finish(ROWS));
        StatisticsPart rowByRow = StatisticsPart.starting(SETTINGS, SEGMENT, 0);
        for (int r = 0; r < ROWS; r++) {
            SparseRows.Csr b = DATA.csr(r, r + 1);
            rowByRow.add(r, 1, b.indptr(), b.indices(), b.values(), DATA.labels(r, r + 1));
        }
        assertEquals(once, rowByRow.finish(ROWS));
    }

    @Test
    void partsCombineIntoOnePassBitForBitWhateverTheCutAndTheOrder() throws IOException {
        ConceptStatistics once = onePass(SEGMENT);
        byte[] onceFile = file(once, tmp.resolve("once.bin"));
        int[][] cuts = {
            {ROWS}, {12 * SEGMENT, ROWS}, {SEGMENT, 17 * SEGMENT, ROWS}, {5 * SEGMENT, 6 * SEGMENT, 20 * SEGMENT, ROWS}
        };
        for (int[] cut : cuts) {
            for (long seed = 0; seed < 3; seed++) {
                ConceptStatistics combined = StatisticsPart.combine(parts(seed, cut), ROWS);
                String what = "cut at " + Arrays.toString(cut) + ", order " + seed;
                assertEquals(once, combined, what);
                assertArrayEquals(onceFile, file(combined, tmp.resolve("combined.bin")), what);
            }
        }
        List<StatisticsPart> everySegment = new ArrayList<>();
        for (int from = 0; from < ROWS; from += SEGMENT) {
            everySegment.add(part(SEGMENT, from, Math.min(ROWS, from + SEGMENT), new Random(from)));
        }
        Collections.reverse(everySegment);
        assertEquals(once, StatisticsPart.combine(everySegment, ROWS), "a part per segment, last first");
    }

    @Test
    void partsMergedPairwiseInAnyOrderAndGroupingEqualOnePass() throws MalformedFileException {
        ConceptStatistics once = onePass(SEGMENT);
        for (long seed = 0; seed < 5; seed++) {
            Random rng = new Random(seed);
            List<StatisticsPart> pool = new ArrayList<>(
                    parts(seed, 2 * SEGMENT, 3 * SEGMENT, 7 * SEGMENT, 8 * SEGMENT, 13 * SEGMENT, ROWS));
            while (pool.size() > 1) { // a reduce that merges any two, adjacent or not, and ships the result
                StatisticsPart a = pool.remove(rng.nextInt(pool.size()));
                StatisticsPart b = pool.remove(rng.nextInt(pool.size()));
                pool.add(StatisticsPart.fromBytes(a.merge(b).toBytes()));
            }
            assertEquals(once, pool.get(0).finish(ROWS), "reduce " + seed);
        }
        StatisticsPart gappy =
                part(SEGMENT, 0, SEGMENT, new Random(1)).merge(part(SEGMENT, 4 * SEGMENT, 6 * SEGMENT, new Random(2)));
        assertEquals(
                "[0, 128) [512, 768)", StatisticsPart.fromBytes(gappy.toBytes()).covers());
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> gappy.finish(6 * SEGMENT));
        assertTrue(gap.getMessage().contains("rows [128, 512) are in no part"), gap.getMessage());
    }

    @Test
    void partsSentAsBytesJavaSerializationOrFilesCombineTheSame() throws Exception {
        ConceptStatistics once = onePass(SEGMENT);
        Function<StatisticsPart, StatisticsPart> viaBytes = p -> {
            try {
                return StatisticsPart.fromBytes(p.toBytes());
            } catch (MalformedFileException e) {
                throw new AssertionError(e);
            }
        };
        Function<StatisticsPart, StatisticsPart> viaJava = p -> {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                    out.writeObject(p);
                }
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                    return (StatisticsPart) in.readObject();
                }
            } catch (IOException | ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        };
        int[] file = {0};
        Function<StatisticsPart, StatisticsPart> viaFile = p -> {
            try {
                Path f = tmp.resolve("part" + file[0]++ + ".bin");
                p.write(f);
                return StatisticsPart.read(f);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        for (Function<StatisticsPart, StatisticsPart> send : List.of(viaBytes, viaJava, viaFile)) {
            List<StatisticsPart> sent =
                    parts(7, 3 * SEGMENT, 9 * SEGMENT, ROWS).stream().map(send).toList();
            assertEquals(once, StatisticsPart.combine(sent, ROWS));
        }
    }

    @Test
    void aPartSavedReadAndContinuedEqualsAnUninterruptedOne() throws IOException {
        ConceptStatistics once = onePass(SEGMENT);
        Random rng = new Random(3);
        StatisticsPart first = part(SEGMENT, 0, 10 * SEGMENT, rng);
        Path f = tmp.resolve("part.bin");
        first.write(f);
        StatisticsPart resumed = StatisticsPart.read(f);
        assertEquals(10 * SEGMENT, resumed.endRow());
        for (int r = 10 * SEGMENT; r < ROWS; ) {
            int end = Math.min(ROWS, r + 1 + rng.nextInt(300));
            SparseRows.Csr b = DATA.csr(r, end);
            resumed.add(r, end - r, b.indptr(), b.indices(), b.values(), DATA.labels(r, end));
            r = end;
        }
        assertEquals(once, resumed.finish(ROWS));
    }

    @Test
    void theExactStatisticsAreThoseOfAPlainPassAndTheSumsAgreeToRounding() {
        ConceptStatistics plain = new ConceptStatistics(SETTINGS);
        DATA.add(plain, 0, ROWS);
        ConceptStatistics segmented = onePass(SEGMENT);
        Expect.sameExactParts(plain, segmented);
        for (int c = 0; c < CONCEPTS; c++) {
            assertEquals(plain.mean(c), segmented.mean(c), 1e-12 * Math.max(1, Math.abs(plain.mean(c))));
        }
    }

    @Test
    void theSegmentSizeIsPartOfTheDefinition() {
        // the sums and label summaries are grouped by segment: another size gives other bits
        ConceptStatistics a = onePass(SEGMENT);
        ConceptStatistics b = onePass(SEGMENT / 2);
        Expect.sameExactParts(a, b);
        assertNotEquals(a, b);
        boolean labelsDiffer = false;
        for (int c = 0; c < CONCEPTS; c++) {
            labelsDiffer |= !a.labels(c).equals(b.labels(c));
        }
        assertTrue(labelsDiffer, "the label summaries depend on the segments");

        List<StatisticsPart> mixed = List.of(
                part(SEGMENT, 0, 2 * SEGMENT, new Random(1)), part(SEGMENT / 2, 2 * SEGMENT, ROWS, new Random(2)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> StatisticsPart.combine(mixed, ROWS));
        assertTrue(e.getMessage().contains("segmentRows=128 vs 64"), e.getMessage());
    }

    @Test
    void partsThatDoNotTileTheRowsAreRefused() {
        Random rng = new Random(9);
        IllegalArgumentException gap = assertThrows(
                IllegalArgumentException.class,
                () -> StatisticsPart.combine(
                        List.of(part(SEGMENT, 0, SEGMENT, rng), part(SEGMENT, 2 * SEGMENT, ROWS, rng)), ROWS));
        assertTrue(gap.getMessage().contains("rows [128, 256) are in no part"), gap.getMessage());
        IllegalArgumentException overlap = assertThrows(
                IllegalArgumentException.class,
                () -> StatisticsPart.combine(
                        List.of(part(SEGMENT, 0, 3 * SEGMENT, rng), part(SEGMENT, 2 * SEGMENT, ROWS, rng)), ROWS));
        assertTrue(overlap.getMessage().contains("rows [256, 384) are in two parts"), overlap.getMessage());
        IllegalArgumentException start = assertThrows(
                IllegalArgumentException.class,
                () -> StatisticsPart.combine(List.of(part(SEGMENT, SEGMENT, ROWS, rng)), ROWS));
        assertTrue(start.getMessage().contains("rows [0, 128) are in no part"), start.getMessage());
        IllegalArgumentException end = assertThrows(
                IllegalArgumentException.class,
                () -> StatisticsPart.combine(List.of(part(SEGMENT, 0, ROWS - 1, rng)), ROWS));
        assertTrue(end.getMessage().contains("rows [2999, 3000) are in no part"), end.getMessage());
        IllegalArgumentException past = assertThrows(
                IllegalArgumentException.class,
                () -> StatisticsPart.combine(List.of(part(SEGMENT, 0, ROWS, rng)), ROWS - 1));
        assertTrue(past.getMessage().contains("past the 2999 rows"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StatisticsPart.combine(List.of(), 0));
    }

    @Test
    void aPartStartsAtASegmentAndTakesItsRowsInOrder() throws MalformedFileException {
        IllegalArgumentException unaligned =
                assertThrows(IllegalArgumentException.class, () -> StatisticsPart.starting(SETTINGS, SEGMENT, 100));
        assertTrue(unaligned.getMessage().contains("multiple of segmentRows=128"), unaligned.getMessage());
        StatisticsPart p = part(SEGMENT, 0, 200, new Random(1));
        SparseRows.Csr b = DATA.csr(300, 310);
        IllegalArgumentException skipped = assertThrows(
                IllegalArgumentException.class,
                () -> p.add(300, 10, b.indptr(), b.indices(), b.values(), DATA.labels(300, 310)));
        assertTrue(skipped.getMessage().contains("starts at row 200, not 300"), skipped.getMessage());

        StatisticsPart ended = StatisticsPart.fromBytes(p.toBytes()); // ended inside segment 1
        SparseRows.Csr next = DATA.csr(200, 210);
        IllegalStateException closed = assertThrows(
                IllegalStateException.class,
                () -> ended.add(200, 10, next.indptr(), next.indices(), next.values(), DATA.labels(200, 210)));
        assertTrue(closed.getMessage().contains("ended inside segment 1"), closed.getMessage());
    }

    @Test
    void aBadBlockSpanningSegmentsChangesNothing() {
        StatisticsPart p = part(SEGMENT, 0, 100, new Random(1));
        SparseRows.Csr b = DATA.csr(100, 300);
        float[] values = b.values().clone();
        values[values.length - 1] = Float.NaN; // in the block's last row, a segment after its first
        assertThrows(
                IllegalArgumentException.class,
                () -> p.add(100, 200, b.indptr(), b.indices(), values, DATA.labels(100, 300)));
        assertEquals(100, p.endRow());
        p.add(100, 200, b.indptr(), b.indices(), b.values(), DATA.labels(100, 300));
        StatisticsPart rest = part(SEGMENT, 0, 300, new Random(2));
        assertEquals(rest.finish(300), p.finish(300));
    }

    @Test
    void aDamagedPartIsRefused() throws IOException {
        byte[] bytes = part(SEGMENT, 0, 5 * SEGMENT, new Random(1)).toBytes();
        for (int cut : new int[] {0, 20, 40, bytes.length / 2, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThrows(MalformedFileException.class, () -> StatisticsPart.fromBytes(truncated), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(MalformedFileException.class, () -> StatisticsPart.fromBytes(longer));
        byte[] version = bytes.clone();
        version[8] = 9;
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> StatisticsPart.fromBytes(version));
        assertTrue(e.getMessage().contains("format version 9"), e.getMessage());
    }

    @Test
    void aUsedUpPartIsRefused() {
        StatisticsPart p = part(SEGMENT, 0, ROWS, new Random(1));
        StatisticsPart.combine(List.of(p), ROWS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.finish(ROWS));
        assertTrue(e.getMessage().contains("used up"), e.getMessage());
        StatisticsPart later = part(SEGMENT, SEGMENT, ROWS, new Random(1));
        IllegalArgumentException notAll = assertThrows(IllegalArgumentException.class, () -> later.finish(ROWS));
        assertTrue(notAll.getMessage().contains("rows [0, 128) are in no part"), notAll.getMessage());
    }
}
