package dev.saekit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.sweep.Preprocessing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The scan, its resumption and the contexts' values, against the codes of every row computed at once. */
class DashboardTest {
    @TempDir
    Path tmp;

    private final INDArray x = Fixtures.rows(Fixtures.ROWS, 1);
    private final List<String> labels = Fixtures.labels(Fixtures.ROWS, 2);

    private Dashboard.Builder builder(SparseAutoencoder sae, RowStream rows) {
        return Dashboard.builder(new Encoding(sae, Preprocessing.none()), rows, RowContexts.labels(labels))
                .blockRows(256)
                .segmentRows(512);
    }

    /** The statistics of all codes computed in one forward pass, fed in the scan's blocks. */
    private ConceptStatistics expected(SparseAutoencoder sae, ConceptStatistics.Settings settings, int block) {
        INDArray codes = sae.encode(x).codes();
        ConceptStatistics s = new ConceptStatistics(settings);
        RowContexts ids = RowContexts.labels(labels);
        for (int first = 0; first < Fixtures.ROWS; first += block) {
            int n = Math.min(block, Fixtures.ROWS - first);
            s.addDense(
                    first,
                    codes.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + n),
                            org.nd4j.linalg.indexing.NDArrayIndex.all()),
                    labelsOf(ids, first, n));
        }
        return s;
    }

    private static double maxOf(ConceptStatistics s) {
        double m = 0;
        for (int c = 0; c < s.concepts(); c++) {
            m = s.fired(c) == 0 ? m : Math.max(m, Math.abs(s.max(c)));
        }
        return m;
    }

    private static java.util.Set<Long> rows(List<dev.saekit.concepts.Hit> hits) {
        java.util.Set<Long> out = new java.util.TreeSet<>();
        hits.forEach(h -> out.add(h.row()));
        return out;
    }

    private static int[] labelsOf(RowContexts ids, int first, int n) {
        try {
            return ids.labels(first, n);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theScanKeepsTheStatisticsOfEveryRowsCodes() throws IOException {
        SparseAutoencoder sae = Fixtures.topK();
        Dashboard d = builder(sae, RowStream.of(Fixtures.dataset(x, labels))).build();
        assertEquals(Fixtures.ROWS, d.statistics().rows());
        ConceptStatistics want = expected(sae, d.statistics().settings(), 256);
        ConceptStatistics got = d.statistics();
        // the same codes up to the BLAS's rounding (its kernels depend on the arrays' alignment):
        // a few units in the last place of the largest code
        double tolerance = 8 * Fixtures.INPUT * Math.ulp((float) maxOf(want));
        for (int c = 0; c < Fixtures.CONCEPTS; c++) {
            assertEquals(want.fired(c), got.fired(c), "fired, concept " + c);
            assertEquals(want.max(c), got.max(c), tolerance, "max, concept " + c);
            assertEquals(want.mean(c), got.mean(c), tolerance, "mean, concept " + c);
            assertEquals(rows(want.top(c)), rows(got.top(c)), "top rows, concept " + c);
            assertEquals(rows(want.samples(c)), rows(got.samples(c)), "sampled rows, concept " + c);
            assertEquals(want.labels(c).size(), got.labels(c).size(), "labels, concept " + c);
            for (int i = 0; i < want.labels(c).size(); i++) {
                assertEquals(want.labels(c).get(i).label(), got.labels(c).get(i).label());
                assertEquals(want.labels(c).get(i).count(), got.labels(c).get(i).count());
            }
            for (int j = 0; j < Fixtures.CONCEPTS; j++) {
                assertEquals(want.cofired(c, j), got.cofired(c, j));
            }
        }
        assertEquals(Fixtures.ROWS, d.scan().rowsThisRun());
        assertFalse(d.scan().resumed());
    }

    @Test
    void aScanInterruptedAndRunAgainEqualsAnUninterruptedOne() throws IOException {
        SparseAutoencoder sae = Fixtures.topK();
        RowStream rows = RowStream.of(Fixtures.dataset(x, labels));
        Path state = tmp.resolve("scan");
        IOException killed = assertThrows(
                IOException.class,
                () -> builder(sae, Fixtures.failingAfter(rows, 3))
                        .stateDirectory(state)
                        .saveEvery(1e-9)
                        .build());
        assertTrue(killed.getMessage().contains("interrupted"), killed.getMessage());
        assertEquals( // saved where a block ended a segment: after the second block, not the third
                2 * 256,
                dev.saekit.concepts.StatisticsPart.read(state.resolve(ConceptScan.PART))
                        .endRow());

        Dashboard resumed = builder(sae, rows).stateDirectory(state).build();
        assertTrue(resumed.scan().resumed());
        assertEquals(Fixtures.ROWS - 2 * 256, resumed.scan().rowsThisRun());
        Dashboard once = builder(sae, rows).build();
        assertEquals(once.statistics(), resumed.statistics());

        Dashboard finished = builder(sae, rows).stateDirectory(state).build();
        assertEquals(0, finished.scan().rowsThisRun(), "a finished scan is found, not repeated");
        assertEquals(once.statistics(), finished.statistics());
    }

    @Test
    void aSavedScanOfAnotherSaeOrOtherSettingsIsRefused() throws IOException {
        RowStream rows = RowStream.of(Fixtures.dataset(x, labels));
        Path state = tmp.resolve("scan");
        builder(Fixtures.topK(), rows).stateDirectory(state).build();
        SparseAutoencoder other = dev.saekit.model.ModelSpec.of(
                        dev.saekit.model.SaeConfig.of(Fixtures.INPUT, Fixtures.CONCEPTS)
                                .withSeed(8),
                        new dev.saekit.model.TopKSpec(4))
                .build();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> builder(other, rows).stateDirectory(state).build());
        assertTrue(e.getMessage().contains("holds a scan of another sae"), e.getMessage());
        IllegalStateException s = assertThrows(
                IllegalStateException.class,
                () -> builder(Fixtures.topK(), rows)
                        .settings(
                                ConceptStatistics.Settings.of(Fixtures.CONCEPTS).withTop(5))
                        .stateDirectory(state)
                        .build());
        assertTrue(s.getMessage().contains("other settings"), s.getMessage());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "codes kept by the scan: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void everyContextRowShowsItsActivationOfTheConcept(boolean kept) throws IOException {
        SparseAutoencoder sae = Fixtures.topK();
        // documents of 10 rows each, shown with up to 3 rows either side
        RowContexts documents = new RowContexts() {
            @Override
            public Kind kind() {
                return Kind.TOKENS;
            }

            @Override
            public int[] labels(long first, int n) {
                return null;
            }

            @Override
            public String labelText(int id) {
                return "t" + id;
            }

            @Override
            public Window window(long row) {
                long doc = row / 10;
                long first = Math.max(doc * 10, row - 3);
                long last = Math.min(doc * 10 + 9, row + 3);
                List<String> texts = new ArrayList<>();
                for (long r = first; r <= last; r++) {
                    texts.add("t" + r);
                }
                return new Window(first, last, texts, "document " + doc);
            }
        };
        Dashboard d = Dashboard.builder(
                        new Encoding(sae, Preprocessing.none()), RowStream.of(Fixtures.dataset(x, labels)), documents)
                .build();
        float[] all =
                sae.encode(x).codes().castTo(DataType.FLOAT).dup('c').data().asFloat();
        float scale = 0;
        for (float v : all) {
            scale = Math.max(scale, Math.abs(v));
        }
        // the same dot products summed in another blocking: a few roundings of the largest code
        float tolerance = 8 * Fixtures.INPUT * Math.ulp(scale);
        int checked = 0;
        for (int c = 0; c < Fixtures.CONCEPTS; c++) {
            ContextValues.ConceptContexts contexts = d.view(c).contexts();
            assertEquals(Math.min(20, d.statistics().fired(c)), contexts.top().size());
            for (ContextValues.Shown s : contexts.shown()) {
                assertEquals(s.hit().value(), s.values()[s.peak()], "the kept value at the peak");
                for (int i = 0; i < s.values().length; i++) {
                    long row = s.window().first() + i;
                    float want = all[(int) row * Fixtures.CONCEPTS + c];
                    assertEquals(want, s.values()[i], tolerance, "concept " + c + ", row " + row);
                    checked++;
                }
                assertEquals(s.window().first() / 10, s.window().last() / 10, "a window stays in its document");
            }
        }
        assertTrue(checked > 1000, "values checked: " + checked);
    }

    @Test
    void quantileSamplesComeFromEachBandOfTheSample() throws IOException {
        Dashboard d = builder(Fixtures.topK(), RowStream.of(Fixtures.dataset(x, labels)))
                .quantiles(4, 2)
                .build();
        for (int c = 0; c < Fixtures.CONCEPTS; c++) {
            ContextValues.ConceptContexts contexts = d.view(c).contexts();
            List<ContextValues.Band> bands = contexts.bands();
            if (d.statistics().fired(c) >= 64) {
                assertEquals(4, bands.size());
            }
            for (int b = 1; b <= bands.size(); b++) {
                ContextValues.Band band = bands.get(b - 1);
                assertTrue(band.low() <= band.high());
                for (ContextValues.Shown s : contexts.band(b)) {
                    assertTrue(
                            s.hit().value() >= band.low() && s.hit().value() <= band.high(),
                            s.hit().value() + " outside band " + band);
                }
                if (b > 1) {
                    assertTrue(bands.get(b - 2).high() <= band.low(), "bands ascend");
                }
            }
        }
    }

    @Test
    void imageRowsKeepTheirValues() throws IOException {
        INDArray images = Fixtures.rows(300, 5);
        Dashboard d = Dashboard.builder(
                        new Encoding(Fixtures.topK(), Preprocessing.none()),
                        RowStream.of(Fixtures.dataset(images, null)),
                        RowContexts.images(4, 4))
                .imageShape(4, 4)
                .build();
        float[] all = images.dup('c').data().asFloat();
        for (int c = 0; c < Fixtures.CONCEPTS; c++) {
            ConceptView v = d.view(c);
            assertNotNull(v.atomPixels());
            for (ContextValues.Shown s : v.contexts().shown()) {
                int row = (int) s.hit().row();
                for (int i = 0; i < 16; i++) {
                    assertEquals(all[row * 16 + i], s.pixels()[i]);
                }
            }
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> Dashboard.builder(
                                new Encoding(Fixtures.topK(), Preprocessing.none()),
                                RowStream.of(Fixtures.dataset(images, null)),
                                RowContexts.images(3, 5))
                        .imageShape(3, 5));
    }
}
