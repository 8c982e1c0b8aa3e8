package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.concepts.ConceptStatistics.Settings;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statistics written and read back are the same; a pass resumes from its file; a bad file is refused. */
class ConceptStatisticsFileTest {
    private static final int ROWS = 400;
    private static final int CONCEPTS = 10;
    private static final Settings SETTINGS =
            Settings.of(CONCEPTS).withTop(4).withSamples(6).withLabelSlots(3);
    private final SparseRows data = new SparseRows(21, ROWS, CONCEPTS, 30);

    @TempDir
    Path dir;

    private ConceptStatistics pass(Settings settings, int to) {
        ConceptStatistics s = new ConceptStatistics(settings);
        data.addInBlocks(s, 0, to, new Random(4));
        return s;
    }

    @Test
    void aWrittenFileReadsBackEqual() throws IOException {
        for (Settings settings : new Settings[] {
            SETTINGS,
            SETTINGS.withLabelSlots(0).withCofiring(false),
            SETTINGS.withTop(0).withSamples(0)
        }) {
            ConceptStatistics s = pass(settings, ROWS);
            Path file = dir.resolve("stats.bin");
            s.write(file);
            ConceptStatistics back = ConceptStatistics.read(file);
            assertEquals(s, back);
            assertEquals(settings, back.settings());
            Expect.sameExactPartsAndLabelCounts(s, back);
            assertEquals(Arrays.asList(dir.toFile().list()), java.util.List.of("stats.bin"), "no temporary file left");
        }
    }

    @Test
    void emptyStatisticsReadBackEqual() throws IOException {
        ConceptStatistics s = new ConceptStatistics(SETTINGS);
        s.write(dir.resolve("empty.bin"));
        assertEquals(s, ConceptStatistics.read(dir.resolve("empty.bin")));
    }

    @Test
    void aPassResumedFromItsFileEqualsAnUninterruptedOne() throws IOException {
        Random blocks = new Random(4);
        ConceptStatistics uninterrupted = new ConceptStatistics(SETTINGS);
        ConceptStatistics first = new ConceptStatistics(SETTINGS);
        int stop = 0;
        for (int r = 0; r < ROWS; ) { // the same blocks for both passes; the first stops halfway
            int end = Math.min(ROWS, r + 1 + blocks.nextInt(40));
            data.add(uninterrupted, r, end);
            if (r < ROWS / 2) {
                data.add(first, r, end);
                stop = end;
            }
            r = end;
        }
        Path file = dir.resolve("partial.bin");
        first.write(file);
        ConceptStatistics resumed = ConceptStatistics.read(file);
        Random again = new Random(4);
        for (int r = 0; r < ROWS; ) {
            int end = Math.min(ROWS, r + 1 + again.nextInt(40));
            if (r >= stop) {
                data.add(resumed, r, end);
            }
            r = end;
        }
        assertEquals(uninterrupted, resumed);
    }

    @Test
    void aTruncatedFileIsMalformedWhereverItIsCut() throws IOException {
        Path file = dir.resolve("stats.bin");
        pass(SETTINGS, ROWS).write(file);
        byte[] bytes = Files.readAllBytes(file);
        Random rng = new Random(1);
        int[] cuts = {0, 7, 30, 59, 60, 61, bytes.length / 2, bytes.length - 1, rng.nextInt(bytes.length)};
        for (int cut : cuts) {
            Path truncated = dir.resolve("cut" + cut);
            Files.write(truncated, Arrays.copyOf(bytes, cut));
            MalformedFileException e =
                    assertThrows(MalformedFileException.class, () -> ConceptStatistics.read(truncated));
            assertEquals(truncated.toString(), e.source());
        }
        Path longer = dir.resolve("longer");
        Files.write(longer, Arrays.copyOf(bytes, bytes.length + 1));
        assertMessage(longer, "should be " + bytes.length + " bytes");
    }

    @Test
    void aWrongMagicOrVersionIsMalformed() throws IOException {
        Path file = dir.resolve("stats.bin");
        pass(SETTINGS, 50).write(file);
        byte[] bytes = Files.readAllBytes(file);
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertMessage(write("magic", magic), "magic string");
        byte[] version = bytes.clone();
        version[8] = 2;
        assertMessage(write("version", version), "format version 2");
        Files.writeString(dir.resolve("text"), "concepts=4096\n".repeat(10), StandardCharsets.UTF_8);
        assertMessage(dir.resolve("text"), "magic string");
        assertThrows(MalformedFileException.class, () -> ConceptStatistics.read(dir));
    }

    @Test
    void absurdDeclaredSizesAreMalformedBeforeAnythingIsAllocated() throws IOException {
        // 2^30 concepts: the settings themselves cannot hold that many histograms
        assertMessage(header("huge", 1 << 30, 0, 0, 0, 0, 1, -1, 0, 0), "settings that are not valid");
        // 2^24 concepts pass the settings but need gigabytes the 60-byte file does not have
        assertMessage(header("big", 1 << 24, 0, 0, 0, 0, 1, -1, 0, 0), "needs at least");
        // as many co-firing pairs as an array holds
        assertMessage(header("pairs", 65_000, 1, 1, 1, 1, 1, -1, 0, 0), "needs at least");
        assertMessage(header("flag", 4, 1, 1, 1, 7, 1, -1, 0, 0), "co-firing flag");
        assertMessage(header("negative", -5, 1, 1, 1, 1, 1, -1, 0, 0), "concepts must be >= 1");
        assertMessage(header("rows", 4, 1, 1, 1, 1, 1, -1, 0, -1), "-1 rows");
    }

    @Test
    void inconsistentContentsAreMalformed() throws IOException {
        Settings small = Settings.of(3).withTop(2).withSamples(2).withLabelSlots(2);
        ConceptStatistics s = new ConceptStatistics(small);
        s.add(0, 2, new int[] {0, 2, 3}, new int[] {0, 1, 0}, new float[] {1f, 2f, 3f}, new int[] {5, 6});
        Path file = dir.resolve("stats.bin");
        s.write(file);
        byte[] bytes = Files.readAllBytes(file);
        byte[] fired = bytes.clone();
        fired[60] = 9; // concept 0 fired on 9 of 2 rows
        assertMessage(write("fired", fired), "fired on 9 rows, not in 0..2");
        byte[] once = bytes.clone();
        once[60] = 1; // concept 0 fired once, but keeps two top values
        assertMessage(write("once", once), "keeps 2 top values");
        ByteBuffer b = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int topSizes = 60 + 3 * (8 + 8 + 8 + 4 + 4) + 3 * 2 * (80 + 2) * 8;
        b.putInt(topSizes, -1);
        assertMessage(write("size", b.array()), "declares -1 top values for concept 0");
    }

    @Test
    void aFailedWriteLeavesTheOldFile() throws IOException {
        Path file = dir.resolve("stats.bin");
        pass(SETTINGS, 50).write(file);
        byte[] before = Files.readAllBytes(file);
        Path missing = dir.resolve("no-such-dir").resolve("stats.bin");
        assertThrows(IOException.class, () -> pass(SETTINGS, 50).write(missing));
        assertFalse(Files.exists(missing));
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** A bare 60-byte header with the given settings and rows. */
    private Path header(
            String name,
            int concepts,
            int top,
            int samples,
            int labelSlots,
            int cofiring,
            int binsPerDecade,
            int minExponent,
            int maxExponent,
            long rows)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(StatisticsFile.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(StatisticsFile.MAGIC)
                .putInt(1)
                .putInt(concepts)
                .putInt(top)
                .putInt(samples)
                .putLong(0);
        b.putInt(labelSlots)
                .putInt(cofiring)
                .putInt(binsPerDecade)
                .putInt(minExponent)
                .putInt(maxExponent);
        b.putLong(rows);
        return write(name, b.array());
    }

    private static void assertMessage(Path file, String part) {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> ConceptStatistics.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
