package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.ActivationManifest;
import dev.saekit.io.Npy;
import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.OnnxTaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Harvests of all-MiniLM-L6-v2 (truncating at 32 tokens) on a few dozen generated sentences. */
class TokenHarvestTest {
    private static final String[] WORDS = {
        "the",
        "river",
        "bank",
        "holds",
        "water",
        "after",
        "rain",
        "a",
        "small",
        "dog",
        "barked",
        "loudly",
        "at",
        "night",
        "while",
        "sparse",
        "features",
        "emerge",
        "from",
        "dense",
        "activations",
        "of",
        "language",
        "models"
    };

    @TempDir
    Path tmp;

    private static TextModel model;

    @BeforeAll
    static void open() throws IOException {
        model = TextModel.minilm(32);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** {@code n} sentences of 0 to 40 words (the longest are cut at 32 tokens), one of them empty. */
    static List<TextCorpus.Document> documents(int n) {
        List<TextCorpus.Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int words = (i * 7) % 41;
            StringBuilder s = new StringBuilder();
            for (int w = 0; w < words; w++) {
                s.append(w == 0 ? "" : " ").append(WORDS[(i * 5 + w * 3) % WORDS.length]);
            }
            docs.add(new TextCorpus.Document("doc" + i, words == 0 ? "" : s + "."));
        }
        return docs;
    }

    private static TextCorpus corpus(int n) {
        return TextCorpus.of("generated sentences", documents(n));
    }

    private static TokenHarvest.Builder harvest(TextCorpus corpus, Path out) {
        return TokenHarvest.builder(model, corpus, out)
                .taps(List.of("residual:3", "mlp_out:1"))
                .batchSize(4)
                .window(8)
                .rowsPerShard(300)
                .threads(1);
    }

    /** Every file under {@code dir} by relative path, with its bytes. */
    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name + " differs"));
    }

    private static float[] rows(Path shard) throws IOException {
        INDArray a = Npy.read(shard);
        return a.data().asFloat();
    }

    @Test
    void theSameInputsGiveByteIdenticalFiles() throws IOException {
        HarvestResult first = harvest(corpus(40), tmp.resolve("a")).build().run();
        harvest(corpus(40), tmp.resolve("b")).build().run();
        assertTrue(
                first.state().shards().size() >= 2,
                "several shards: " + first.state().shards());
        assertSameFiles(files(tmp.resolve("a")), files(tmp.resolve("b")));
    }

    @Test
    void aResumedHarvestWritesTheBytesOfAnUninterruptedOne() throws IOException {
        Path whole = tmp.resolve("whole");
        harvest(corpus(40), whole).build().run();
        Path resumed = tmp.resolve("resumed");
        RuntimeException stop = new RuntimeException("stopped after shard 1");
        RuntimeException thrown = assertThrows(
                RuntimeException.class,
                () -> harvest(corpus(40), resumed)
                        .listener(shard -> {
                            if (shard.index() == 1) {
                                throw stop;
                            }
                        })
                        .build()
                        .run());
        assertEquals(stop, thrown);
        HarvestState stopped = HarvestState.read(resumed);
        assertEquals(2, stopped.shards().size());
        assertFalse(stopped.complete());
        // what a process killed while writing shard 2 leaves behind
        Files.writeString(resumed.resolve("residual_3").resolve(".shard-00002.npy.1234.tmp"), "half a shard");
        Files.copy(resumed.resolve("residual_3/shard-00001.npy"), resumed.resolve("residual_3/shard-00002.npy"));
        Files.writeString(
                resumed.resolve(HarvestDirectory.DOCUMENTS),
                "{\"id\":\"doc99\",\"text\":\"x\"}\n",
                StandardOpenOption.APPEND);

        HarvestResult r = harvest(corpus(40), resumed).resume(true).build().run();
        assertEquals(stopped.rows(), r.resumedRows());
        assertSameFiles(files(whole), files(resumed));
    }

    @Test
    void theTokenBudgetStopsAtExactlyThatManyRows() throws IOException {
        Path all = tmp.resolve("all");
        HarvestResult whole = harvest(corpus(40), all).build().run();
        Path part = tmp.resolve("part");
        HarvestResult r = harvest(corpus(40), part).tokens(123).build().run();
        assertEquals(123, r.rows());
        assertTrue(r.state().complete());
        assertEquals(123, ActivationManifest.read(part).taps().get(0).rows());
        // the same rows as the first 123 of the whole corpus
        float[] first = rows(all.resolve("residual_3/shard-00000.npy"));
        float[] budget = rows(part.resolve("residual_3/shard-00000.npy"));
        assertEquals(123 * 384, budget.length);
        assertArrayEquals(java.util.Arrays.copyOf(first, budget.length), budget);
        // the documents up to the one the last row is in
        try (TokenTable t = HarvestDirectory.open(part).tokens()) {
            assertEquals(t.row(122).document() + 1, t.documents());
        }
        assertTrue(whole.rows() > 123);
    }

    @Test
    void specialTokensAreKeptOrDroppedAndPaddingNeverWritten() throws IOException {
        List<TextCorpus.Document> docs = documents(12);
        long all = 0;
        long ordinary = 0;
        for (TextCorpus.Document d : docs) {
            Tokens t = model.tokenizer().encode(d.text());
            all += t.length();
            ordinary += t.ordinaryCount();
        }
        HarvestResult keep = harvest(corpus(12), tmp.resolve("keep"))
                .specialTokens(SpecialTokens.KEEP)
                .build()
                .run();
        HarvestResult drop = harvest(corpus(12), tmp.resolve("drop")).build().run();
        assertEquals(all, keep.rows());
        assertEquals(ordinary, drop.rows());
        try (TokenTable k = HarvestDirectory.open(tmp.resolve("keep")).tokens();
                TokenTable d = HarvestDirectory.open(tmp.resolve("drop")).tokens()) {
            assertEquals(0, k.row(0).position());
            assertEquals("[CLS]", k.inContext(0).token());
            for (long r = 0; r < d.rows(); r++) {
                TokenTable.Row row = d.row(r);
                assertTrue(row.position() > 0 && row.tokenId() != 101 && row.tokenId() != 102, row.toString());
            }
            assertEquals(12, d.documents()); // the empty document is there, with no rows
        }
    }

    /**
     * Harvested rows are ONNX Runtime's own numbers: the tap residual:5 is the output
     * last_hidden_state of a session of the untouched model, fed the batch the harvest formed (the
     * window's documents shortest first).
     */
    @Test
    void harvestedRowsAreTheModelsOutputForTheirTokens() throws IOException {
        List<TextCorpus.Document> docs = documents(6);
        Path out = tmp.resolve("out");
        TokenHarvest.builder(model, TextCorpus.of("six", docs), out)
                .taps(List.of("residual:5"))
                .batchSize(6)
                .window(6)
                .specialTokens(SpecialTokens.KEEP)
                .threads(1)
                .build()
                .run();
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        List<Tokens> tokens =
                docs.stream().map(d -> model.tokenizer().encode(d.text())).toList();
        order.sort(
                Comparator.comparingInt((Integer i) -> tokens.get(i).length()).thenComparingInt(i -> i));
        TextBatch batch = TextBatch.of(
                order.stream().map(tokens::get).toList(), model.tokenizer().padId());
        float[] harvested = rows(out.resolve("residual_5/shard-00000.npy"));
        try (OnnxTaps plain = OnnxTaps.open(model.onnxFile(), List.of("last_hidden_state"), 1)) {
            FloatTensor y = plain.run(Map.of(), model.feeds(batch)).get("last_hidden_state");
            int row = 0;
            for (int doc = 0; doc < docs.size(); doc++) {
                int b = order.indexOf(doc);
                for (int p = 0; p < tokens.get(doc).length(); p++, row++) {
                    float[] expected = java.util.Arrays.copyOfRange(
                            y.data(), (int) ((b * y.dim(1) + p) * 384), (int) ((b * y.dim(1) + p + 1) * 384));
                    float[] actual = java.util.Arrays.copyOfRange(harvested, row * 384, (row + 1) * 384);
                    assertArrayEquals(expected, actual, "document " + doc + " position " + p);
                }
            }
            assertEquals(harvested.length, row * 384);
        }
    }

    @Test
    void theTokenTableReadsARowAsATokenInItsDocument() throws IOException {
        Path out = tmp.resolve("out");
        harvest(corpus(20), out).build().run();
        HarvestDirectory h = HarvestDirectory.open(out);
        assertEquals(List.of("residual:3", "mlp_out:1"), h.taps());
        assertEquals(h.state().shards().size(), h.shards("mlp_out:1").size());
        assertTrue(Files.isRegularFile(h.shards("residual:3").get(0)));
        try (TokenTable t = h.tokens()) {
            assertEquals(h.rows(), t.rows());
            long seen = 0;
            for (long r = 0; r < t.rows(); r++) {
                TokenTable.InContext c = t.inContext(r);
                assertEquals(t.vocabulary().get(c.row().tokenId()), c.token());
                assertEquals(c.documentTokens().get(c.row().position()), c.token());
                String piece = c.document().text().substring(c.start(), c.end()).toLowerCase(java.util.Locale.ROOT);
                assertEquals(c.token().replace("##", ""), piece, "row " + r);
                assertEquals("doc" + c.row().document(), c.document().id());
                seen++;
            }
            assertEquals(h.rows(), seen);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.shards("residual:4"));
        assertTrue(e.getMessage().contains("its taps are [residual:3, mlp_out:1]"), e.getMessage());
    }

    @Test
    void theManifestIsOneTheActivationReadersRead() throws IOException {
        Path out = tmp.resolve("out");
        HarvestResult r = harvest(corpus(20), out).build().run();
        ActivationManifest m = ActivationManifest.read(out);
        assertTrue(m.complete());
        assertEquals(model.sha256(), m.modelSha256());
        assertEquals(
                List.of("residual:3", "mlp_out:1"),
                m.taps().stream().map(ActivationManifest.Tap::name).toList());
        ActivationManifest.Tap tap = m.taps().get(0);
        assertEquals("residual_3", tap.directory());
        assertEquals(384, tap.width());
        assertEquals(r.rows(), tap.rows());
        long sum = 0;
        for (ActivationManifest.Shard s : tap.shards()) {
            assertArrayEquals(
                    new long[] {s.rows(), 384},
                    Npy.header(out.resolve("residual_3").resolve(s.file())).shape());
            sum += s.rows();
            assertTrue(s.rows() <= 300);
        }
        assertEquals(r.rows(), sum);
        assertEquals("drop", m.notes().get("special_tokens"));
    }

    @Test
    void aHarvestIsResumedOnlyWithItsOwnSettingsAndCorpus() throws IOException {
        Path out = tmp.resolve("out");
        harvest(corpus(20), out).build().run();
        IllegalArgumentException noResume = assertThrows(
                IllegalArgumentException.class, () -> harvest(corpus(20), out).build());
        assertTrue(noResume.getMessage().contains("holds a harvest already"), noResume.getMessage());
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> harvest(corpus(20), out).batchSize(2).resume(true).build());
        assertTrue(other.getMessage().contains("(batch_size: 4 in harvest.json, 2 asked for)"), other.getMessage());

        Path stopped = tmp.resolve("stopped");
        assertThrows(
                RuntimeException.class,
                () -> harvest(corpus(40), stopped)
                        .listener(shard -> {
                            throw new IllegalStateException("stop");
                        })
                        .build()
                        .run());
        List<TextCorpus.Document> changed = new ArrayList<>(documents(40));
        changed.set(1, new TextCorpus.Document("doc1", "another text"));
        IllegalStateException corpusChanged = assertThrows(
                IllegalStateException.class,
                () -> harvest(TextCorpus.of("generated sentences", changed), stopped)
                        .resume(true)
                        .build()
                        .run());
        assertTrue(
                corpusChanged
                        .getMessage()
                        .contains("document 1 is 'doc1' where the harvest has 'doc1' with another text"),
                corpusChanged.getMessage());
    }

    @Test
    void aDirectoryThatIsNotAHarvestIsLeftAlone() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> harvest(corpus(4), out).resume(true).build());
        assertEquals(
                out + " is not empty and holds no harvest.json: choose a new or empty directory for the harvest",
                e.getMessage());
        assertEquals(
                List.of("notes.txt"),
                Files.list(out).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void settingsAreCheckedBeforeAnythingIsWritten() {
        IllegalArgumentException shard = assertThrows(
                IllegalArgumentException.class,
                () -> harvest(corpus(4), tmp.resolve("x")).rowsPerShard(100).build());
        assertEquals(
                "rowsPerShard must be >= window * maxLength = 8 * 32 = 256 (a window never spans two shards), was 100",
                shard.getMessage());
        IllegalArgumentException tap = assertThrows(
                IllegalArgumentException.class,
                () -> harvest(corpus(4), tmp.resolve("x"))
                        .taps(List.of("residual:3", "residual_3"))
                        .build());
        assertTrue(tap.getMessage().startsWith("tap 'residual_3' is neither a friendly name"), tap.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")));
    }
}
