package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A harvest planned in parts, the parts run in any order (as separate Spark tasks would run them)
 * and assembled, is the single-machine harvest byte for byte: all-MiniLM-L6-v2 truncating at 32
 * tokens on the first 240 documents of the embedded WordNet corpus (about 3,000 rows, 6 shards of at
 * most 600 rows).
 */
class HarvestPlanTest {
    private static final int DOCUMENTS = 240;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static TextModel model;
    private static TextCorpus corpus;
    private static Map<String, byte[]> whole;

    @BeforeAll
    static void harvestOnOneMachine() throws IOException {
        model = TextModel.minilm(32);
        List<TextCorpus.Document> docs = new ArrayList<>();
        try (TextCorpus.Reader r = TextCorpus.embedded().open()) {
            for (int i = 0; i < DOCUMENTS; i++) {
                docs.add(r.next());
            }
        }
        corpus = TextCorpus.of("the first " + DOCUMENTS + " documents of the embedded WordNet subset", docs);
        Path dir = shared.resolve("whole");
        HarvestResult r = harvest(dir).build().run();
        assertTrue(
                r.state().shards().size() >= 5, "several shards: " + r.state().shards());
        whole = files(dir);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static TokenHarvest.Builder harvest(Path dir) {
        return TokenHarvest.builder(model, corpus, dir)
                .taps(List.of("residual:3", "mlp_out:1"))
                .batchSize(8)
                .window(16)
                .rowsPerShard(600)
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

    private static void assertSameFiles(Map<String, byte[]> expected, Path dir) throws IOException {
        Map<String, byte[]> actual = files(dir);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name + " differs"));
    }

    /** The plan as a Spark executor gets it: serialized and read back. */
    @SuppressWarnings("unchecked")
    private static <T> T shipped(T value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void partsRunInAnyOrderAssembleIntoTheSingleMachineHarvest(int parts) throws IOException {
        Path dir = tmp.resolve("parts");
        HarvestPlan plan = harvest(dir).plan(parts);
        assertEquals(parts, plan.parts().size());
        assertFalse(Files.exists(dir.resolve(HarvestState.FILE_NAME)), "nothing looks finished before assembly");
        // a task that failed while writing part 0, retried by the same job: its folder is not the part's
        Path failed = Files.createDirectories(dir.resolve("parts/.part-00000.dead.tmp/tokens"));
        Files.writeString(failed.resolve("doc_ids-00000.npy"), "half a file");
        assertFalse(plan.parts().get(0).isCommitted(dir));
        List<HarvestPart> order = new ArrayList<>(shipped(plan).parts());
        Collections.shuffle(order, new Random(parts));
        for (HarvestPart part : order) {
            HarvestPart.Result r = shipped(part).run(model, dir, 1);
            assertTrue(r.computed(), part.toString());
            assertEquals(part.rows(), r.rows());
        }
        HarvestPart again = plan.parts().get(parts - 1);
        assertFalse(again.run(model, dir, 1).computed(), "a committed part is skipped");
        assertEquals(List.of(), plan.uncommitted(dir));

        HarvestState state = plan.assemble(dir);
        assertEquals(plan.rows(), state.rows());
        assertSameFiles(whole, dir);
    }

    /**
     * The windows (and so the batches) each part cuts from its own documents are those of the single
     * run, the last window of a budget included: its documents after the budget are run too. (On this
     * machine ONNX Runtime's numbers happen not to depend on the batch a text is padded in, so the
     * bytes alone would not show a part batching differently.)
     */
    @ParameterizedTest
    @ValueSource(longs = {0, 1_907})
    void eachPartCutsTheWindowsOfTheSingleRun(long budget) throws IOException {
        Path dir = tmp.resolve("parts");
        HarvestPlan plan = harvest(dir).tokens(budget).plan(3);
        HarvestSettings settings = plan.settings();
        List<String> expected = new ArrayList<>();
        try (TextCorpus.Reader r = corpus.open()) {
            HarvestWindows w = new HarvestWindows(settings, model.tokenizer(), r, 0, 0);
            for (HarvestWindows.Window x; (x = w.next()) != null; ) {
                expected.add(describe(x));
            }
        }
        List<String> actual = new ArrayList<>();
        for (HarvestPart part : plan.parts()) {
            try (TextCorpus.Reader r = part.documents(dir.resolve("parts/documents.jsonl"))) {
                HarvestWindows w =
                        new HarvestWindows(settings, model.tokenizer(), r, part.firstRow(), part.firstDocument());
                for (HarvestWindows.Window x; (x = w.next()) != null; ) {
                    actual.add(describe(x));
                }
            }
        }
        assertEquals(expected, actual);
        assertEquals(budget != 0, !plan.parts().get(2).afterBudget().isEmpty(), "the budget ends inside a window");
    }

    private static String describe(HarvestWindows.Window w) {
        return "documents " + w.firstDocument() + " " + w.documents() + ": "
                + w.rows().count() + " rows of " + w.rows().texts() + " documents"
                + (w.startsShard() ? ", a new shard" : "");
    }

    /**
     * Documents counted in runs elsewhere ({@link HarvestPlan#count} on runs of 7, as cluster tasks
     * count them) give the plan that tokenizing here gives: the same id, parts and staged documents,
     * with and without a token budget that ends inside a window, special tokens kept or dropped.
     */
    @ParameterizedTest
    @CsvSource({"0, drop", "0, keep", "1907, drop", "1907, keep", "500, keep", "3000000, drop"})
    void documentsCountedElsewhereGiveTheSamePlan(long budget, String special) throws IOException {
        SpecialTokens s = SpecialTokens.parse(special);
        Path here = tmp.resolve("here");
        HarvestPlan expected = harvest(here).tokens(budget).specialTokens(s).plan(3);
        Path elsewhere = tmp.resolve("elsewhere");
        HarvestPlan.Counter inRuns = (documents, tokenizer) -> new HarvestPlan.CountedReader() {
            private final List<HarvestPlan.Counted> run = new ArrayList<>();
            private int next;

            @Override
            public HarvestPlan.Counted next() throws IOException {
                if (next == run.size()) {
                    List<TextCorpus.Document> docs = new ArrayList<>();
                    for (TextCorpus.Document d; docs.size() < 7 && (d = documents.next()) != null; ) {
                        docs.add(d);
                    }
                    int[] counts = shipped(HarvestPlan.count(
                            tokenizer,
                            docs.stream().map(TextCorpus.Document::text).toList()));
                    run.clear();
                    next = 0;
                    for (int i = 0; i < docs.size(); i++) {
                        run.add(new HarvestPlan.Counted(docs.get(i), counts[2 * i], counts[2 * i + 1]));
                    }
                    if (run.isEmpty()) {
                        return null;
                    }
                }
                return run.get(next++);
            }

            @Override
            public void close() {}
        };
        HarvestPlan actual = harvest(elsewhere).tokens(budget).specialTokens(s).plan(3, inRuns);
        assertEquals(expected.id(), actual.id());
        assertEquals(expected.toString(), actual.toString());
        assertEquals(expected.parts().size(), actual.parts().size());
        for (int p = 0; p < expected.parts().size(); p++) {
            HarvestPart e = expected.parts().get(p);
            HarvestPart a = actual.parts().get(p);
            assertEquals(e.toString(), a.toString());
            assertEquals(e.firstDocument(), a.firstDocument());
            assertEquals(e.firstRow(), a.firstRow());
            assertEquals(e.afterBudget(), a.afterBudget());
        }
        assertSameFiles(files(here), elsewhere);
        if (budget == 1_907) {
            assertFalse(
                    actual.parts().get(actual.parts().size() - 1).afterBudget().isEmpty(),
                    "a window cut by the budget");
        }
    }

    /** The rows and documents of a window counted without tokens are those {@link RowSelection#of} gives. */
    @Test
    void anExtentIsWhatARowSelectionCounts() {
        Random random = new Random(7);
        for (int trial = 0; trial < 2_000; trial++) {
            List<Tokens> texts = new ArrayList<>();
            int n = random.nextInt(6);
            for (int t = 0; t < n; t++) {
                int len = random.nextInt(5);
                boolean[] special = new boolean[len];
                for (int k = 0; k < len; k++) {
                    special[k] = random.nextInt(3) == 0;
                }
                texts.add(new Tokens(
                        "", new long[len], new long[len], new String[len], new int[len], new int[len], special));
            }
            long left = random.nextInt(3) == 0 ? Long.MAX_VALUE : random.nextInt(12);
            for (SpecialTokens s : SpecialTokens.values()) {
                RowSelection selection = RowSelection.of(texts, s, left);
                int[] kept = new int[n];
                for (int t = 0; t < n; t++) {
                    Tokens x = texts.get(t);
                    kept[t] = new HarvestPlan.Counted(
                                    new TextCorpus.Document("d", ""), x.length(), x.length() - x.ordinaryCount())
                            .rows(s);
                }
                RowSelection.Extent extent = RowSelection.extent(kept, n, left);
                assertEquals(selection.count(), extent.count(), "rows of " + n + " texts, " + left + " left, " + s);
                assertEquals(selection.texts(), extent.texts(), "texts of " + n + " texts, " + left + " left, " + s);
            }
        }
    }

    @Test
    void aTokenBudgetEndingInsideAWindowGivesTheSameHarvest() throws IOException {
        Path one = tmp.resolve("one");
        harvest(one).tokens(1_907).build().run();
        Path dir = tmp.resolve("parts");
        HarvestPlan plan = harvest(dir).tokens(1_907).plan(2);
        assertFalse(plan.parts().get(1).afterBudget().isEmpty(), "the budget ends before the last window does");
        for (HarvestPart part : plan.parts()) {
            part.run(model, dir, 1);
        }
        plan.assemble(dir);
        assertEquals(1_907, HarvestDirectory.open(dir).rows());
        assertSameFiles(files(one), dir);
    }

    @Test
    void aRerunRedoesHalfWrittenPartsKeepsCommittedOnesAndFinishesAStoppedAssembly() throws IOException {
        Path dir = tmp.resolve("parts");
        HarvestPlan plan = harvest(dir).plan(3);
        HarvestPart first = plan.parts().get(0);
        HarvestPart second = plan.parts().get(1);
        first.run(model, dir, 1);
        // what a task killed while writing part 1 leaves behind
        Path half = dir.resolve("parts/.part-00001.5eed.tmp/residual_3");
        Files.createDirectories(half);
        Files.writeString(half.resolve("shard-00002.npy"), "half a shard");
        assertFalse(second.isCommitted(dir));

        HarvestPlan rerun = harvest(dir).plan(3); // the driver starts again
        assertEquals(plan.id(), rerun.id());
        assertFalse(Files.exists(half), "the half-written part is removed");
        assertEquals(
                List.of(1, 2),
                rerun.uncommitted(dir).stream().map(HarvestPart::number).toList());
        assertFalse(rerun.parts().get(0).run(model, dir, 1).computed());
        for (HarvestPart part : rerun.uncommitted(dir)) {
            assertTrue(part.run(model, dir, 1).computed());
        }
        // an assembly stopped after moving some of part 0's files
        for (String name : List.of("residual_3/shard-00000.npy", "tokens/doc_ids-00000.npy")) {
            Files.createDirectories(dir.resolve(name).getParent());
            Files.move(dir.resolve("parts/part-00000").resolve(name), dir.resolve(name));
        }
        rerun.assemble(dir);
        assertSameFiles(whole, dir);

        // once assembled, planning and assembling again change nothing
        HarvestPlan after = harvest(dir).plan(3);
        assertEquals(plan.id(), after.id());
        assertEquals(List.of(), after.uncommitted(dir));
        Files.delete(dir.resolve("manifest.json")); // an assembly stopped between harvest.json and the manifest
        after.assemble(dir);
        assertSameFiles(whole, dir);
    }

    @Test
    void anEmptyCorpusHasNoPartsAndAssemblesIntoTheEmptyHarvest() throws IOException {
        TextCorpus empty = TextCorpus.of("nothing", List.of());
        Path one = tmp.resolve("one");
        TokenHarvest.builder(model, empty, one).build().run();
        Path dir = tmp.resolve("parts");
        HarvestPlan plan = TokenHarvest.builder(model, empty, dir).plan(3);
        assertEquals(List.of(), plan.parts());
        plan.assemble(dir);
        assertSameFiles(files(one), dir);
    }

    @Test
    void assemblingWithAPartMissingNamesThePartAndWritesNothing() throws IOException {
        Path dir = tmp.resolve("parts");
        HarvestPlan plan = harvest(dir).plan(3);
        plan.parts().get(0).run(model, dir, 1);
        plan.parts().get(2).run(model, dir, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.assemble(dir));
        HarvestPart missing = plan.parts().get(1);
        assertEquals(
                "cannot assemble the harvest in " + dir + ": part 1 of 3 (shards " + missing.firstShard() + ".."
                        + (missing.endShard() - 1) + ") is not committed; run it and assemble again",
                e.getMessage());
        assertFalse(Files.exists(dir.resolve(HarvestState.FILE_NAME)));
        assertFalse(Files.exists(dir.resolve("manifest.json")));
        assertFalse(Files.exists(dir.resolve("residual_3")));
    }

    @Test
    void aDirectoryPlannedOtherwiseAnotherModelOrAStalePartIsRefused() throws IOException {
        Path dir = tmp.resolve("parts");
        HarvestPlan plan = harvest(dir).plan(2);
        IllegalArgumentException settings = assertThrows(
                IllegalArgumentException.class, () -> harvest(dir).batchSize(4).plan(2));
        assertTrue(
                settings.getMessage()
                        .contains("holds the parts of another plan (batch_size: 8 in plan.json, 4 asked for)"),
                settings.getMessage());
        IllegalArgumentException parts =
                assertThrows(IllegalArgumentException.class, () -> harvest(dir).plan(3));
        assertTrue(parts.getMessage().contains("(parts: 2 in plan.json, 3 planned)"), parts.getMessage());

        try (TextModel shorter = TextModel.minilm(16)) {
            IllegalArgumentException other = assertThrows(
                    IllegalArgumentException.class, () -> plan.parts().get(0).run(shorter, dir, 1));
            assertTrue(other.getMessage().contains("it truncates at 16 tokens, the plan at 32"), other.getMessage());
        }
        assertEquals(2, plan.uncommitted(dir).size());

        Path replanned = tmp.resolve("replanned");
        HarvestPlan stale = harvest(replanned).plan(2);
        HarvestParts.deleteTree(replanned.resolve("parts"));
        HarvestPlan fresh = harvest(replanned).batchSize(4).plan(2);
        IllegalStateException again = assertThrows(
                IllegalStateException.class, () -> stale.parts().get(0).run(model, replanned, 1));
        assertTrue(
                again.getMessage().contains("the harvest there was planned again since (plan " + fresh.id() + ")"),
                again.getMessage());
        try (Stream<Path> staged = Files.list(dir.resolve("parts"))) {
            assertEquals(
                    List.of("documents.jsonl", "plan.json", "tokenizer.json", "vocab.txt"),
                    staged.map(p -> p.getFileName().toString()).sorted().toList(),
                    "a refused part leaves nothing behind");
        }
    }
}
