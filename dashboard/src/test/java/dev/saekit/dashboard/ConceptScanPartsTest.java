package dev.saekit.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.concepts.StatisticsPart;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.sweep.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A scan cut into parts of rows, scanned apart and combined in any order, gives the single pass's
 * statistics bit for bit; a scan directory written from them is found by a dashboard instead of
 * scanning again.
 */
class ConceptScanPartsTest {
    private static final int SEGMENT = 200;
    /** 8 label slots for 40 words: the label summaries prune, so a different grouping would show. */
    private static final ConceptStatistics.Settings SETTINGS = ConceptStatistics.Settings.of(Fixtures.CONCEPTS)
            .withTop(10)
            .withSamples(16)
            .withLabelSlots(8);

    @TempDir
    Path tmp;

    private final INDArray x = Fixtures.rows(Fixtures.ROWS, 1);
    private final List<String> labels = Fixtures.labels(Fixtures.ROWS, 2);
    private final SparseAutoencoder sae = Fixtures.topK();
    private final RowStream rows = RowStream.of(Fixtures.dataset(x, labels));

    private ConceptScan scan() {
        return ConceptScan.builder(new Encoding(sae, Preprocessing.none()), rows, RowContexts.labels(labels))
                .settings(SETTINGS)
                .blockRows(100)
                .segmentRows(SEGMENT);
    }

    private Dashboard.Builder dashboard(Path state) {
        return Dashboard.builder(new Encoding(sae, Preprocessing.none()), rows, RowContexts.labels(labels))
                .settings(SETTINGS)
                .blockRows(64) // another block size: a finished scan is found whatever the blocks
                .segmentRows(SEGMENT)
                .stateDirectory(state);
    }

    /** The parts ending at {@code cuts}, scanned apart and delivered shuffled. */
    private List<StatisticsPart> parts(long seed, long... cuts) throws IOException {
        List<StatisticsPart> parts = new ArrayList<>();
        long from = 0;
        for (long to : cuts) {
            parts.add(scan().scanPart(from, to));
            from = to;
        }
        Collections.shuffle(parts, new Random(seed));
        return parts;
    }

    private static byte[] file(ConceptStatistics s, Path at) throws IOException {
        s.write(at);
        return Files.readAllBytes(at);
    }

    @Test
    void partsScannedApartCombineIntoTheSinglePassBitForBit() throws IOException {
        ConceptStatistics once = scan().run().statistics();
        byte[] onceFile = file(once, tmp.resolve("once.bin"));
        long[][] cuts = {{2000}, {1000, 2000}, {200, 1400, 2000}, {600, 800, 1000, 1800, 2000}};
        for (long[] cut : cuts) {
            for (long seed = 0; seed < 2; seed++) {
                ConceptStatistics combined = StatisticsPart.combine(parts(seed, cut), Fixtures.ROWS);
                String what = "cut at " + java.util.Arrays.toString(cut) + ", order " + seed;
                assertEquals(once, combined, what);
                assertArrayEquals(onceFile, file(combined, tmp.resolve("combined.bin")), what);
            }
        }
        List<StatisticsPart> reduced = parts(5, 400, 1200, 1600, 2000); // merged pairwise, as a tree reduce does
        StatisticsPart all =
                reduced.get(0).merge(reduced.get(2)).merge(reduced.get(1).merge(reduced.get(3)));
        assertEquals(once, all.finish(Fixtures.ROWS));
        for (int c = 0; c < Fixtures.CONCEPTS; c++) {
            assertTrue(once.labels(c).size() <= 8); // what the test covers: label summaries, co-firing, samples
        }
        assertTrue(once.cofired(0, 1) >= 0 && once.samples(0).size() > 0);
    }

    @Test
    void aSavedAndContinuedScanEqualsTheCombinedParts() throws IOException {
        Path state = tmp.resolve("scan");
        assertThrows(
                IOException.class,
                () -> ConceptScan.builder(
                                new Encoding(sae, Preprocessing.none()),
                                Fixtures.failingAfter(rows, 7),
                                RowContexts.labels(labels))
                        .settings(SETTINGS)
                        .blockRows(100)
                        .segmentRows(SEGMENT)
                        .stateDirectory(state)
                        .saveEvery(1e-9)
                        .run());
        assertEquals(600, StatisticsPart.read(state.resolve(ConceptScan.PART)).endRow());
        ConceptScan.Result resumed = scan().stateDirectory(state).run();
        assertTrue(resumed.resumed());
        assertEquals(Fixtures.ROWS - 600, resumed.rowsThisRun());
        assertEquals(StatisticsPart.combine(parts(3, 1000, 2000), Fixtures.ROWS), resumed.statistics());
        assertTrue(Files.notExists(state.resolve(ConceptScan.PART)), "a finished scan keeps no part");
    }

    @Test
    void aFinishedScanWrittenFromPartsIsFoundByTheDashboardAndItsSiteWritten() throws IOException {
        ConceptStatistics once = scan().run().statistics();
        Path site = tmp.resolve("site");
        scan().stateDirectory(site.resolve("scan"))
                .writeFinished(StatisticsPart.combine(parts(1, 800, 2000), Fixtures.ROWS));

        Dashboard d = dashboard(site.resolve("scan")).build();
        assertEquals(0, d.scan().rowsThisRun(), "the finished scan is found, not repeated");
        assertEquals(once, d.statistics());
        ConceptSite.Written written = d.write(site);
        assertTrue(written.files() > Fixtures.CONCEPTS);
        assertTrue(Files.isRegularFile(site.resolve("index.html")));

        IllegalStateException other = assertThrows(
                IllegalStateException.class,
                () -> dashboard(site.resolve("scan")).segmentRows(2 * SEGMENT).build());
        assertTrue(other.getMessage().contains("another segment rows"), other.getMessage());
    }

    @Test
    void statisticsOfOtherSettingsOrRowsAreNotWrittenAsTheScan() throws IOException {
        ConceptScan scan = scan().stateDirectory(tmp.resolve("scan"));
        ConceptStatistics fewer = StatisticsPart.combine(List.of(scan().scanPart(0, 1000)), 1000);
        IllegalArgumentException rowsDiffer =
                assertThrows(IllegalArgumentException.class, () -> scan.writeFinished(fewer));
        assertTrue(rowsDiffer.getMessage().contains("hold 1000 rows"), rowsDiffer.getMessage());
        ConceptStatistics otherSettings = new ConceptStatistics(SETTINGS.withTop(3));
        assertThrows(IllegalArgumentException.class, () -> scan.writeFinished(otherSettings));
        IllegalArgumentException unaligned =
                assertThrows(IllegalArgumentException.class, () -> scan().scanPart(100, 2000));
        assertTrue(unaligned.getMessage().contains("multiple of segmentRows=200"), unaligned.getMessage());
        assertThrows(IllegalArgumentException.class, () -> scan().scanPart(0, 1100));
    }

    @Test
    void aFinishedScanOfFormatVersionOneIsReadAndAnUnfinishedOneRefused() throws IOException {
        Path state = tmp.resolve("scan");
        ConceptStatistics once = scan().stateDirectory(state).run().statistics();
        ObjectMapper json = new ObjectMapper();
        ObjectNode record =
                (ObjectNode) json.readTree(state.resolve(ConceptScan.RECORD).toFile());
        record.put("format_version", 1);
        record.remove("segment_rows");
        Files.writeString(state.resolve(ConceptScan.RECORD), record.toPrettyString());
        ConceptScan.Result found = scan().stateDirectory(state).run();
        assertEquals(0, found.rowsThisRun());
        assertEquals(once, found.statistics());

        record.put("finished", false);
        Files.writeString(state.resolve(ConceptScan.RECORD), record.toPrettyString());
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> scan().stateDirectory(state).run());
        assertTrue(e.getMessage().contains("format version 1"), e.getMessage());
    }
}
