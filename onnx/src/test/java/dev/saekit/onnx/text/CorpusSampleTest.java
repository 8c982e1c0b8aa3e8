package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Documents picked evenly over a corpus, with excluded ids left out first. */
class CorpusSampleTest {
    private static TextCorpus numbered(int n) {
        List<TextCorpus.Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new TextCorpus.Document("d" + i, "text " + i));
        }
        return TextCorpus.of("ten", docs);
    }

    @Test
    void picksEveryTotalOverCountthDocument() throws Exception {
        // 10 documents, 4 picked: i * 10 / 4 = 0, 2, 5, 7
        CorpusSample s = CorpusSample.evenly(numbered(10), 4, Set.of());
        assertEquals(List.of("text 0", "text 2", "text 5", "text 7"), s.texts());
        assertEquals(10, s.eligible());
        assertEquals(0, s.excluded());
    }

    @Test
    void excludedDocumentsAreLeftOutBeforePicking() throws Exception {
        // d0..d5 excluded: d6..d9 remain, 3 picked of 4: i * 4 / 3 = 0, 1, 2 -> d6, d7, d8
        CorpusSample s = CorpusSample.evenly(numbered(10), 3, Set.of("d0", "d1", "d2", "d3", "d4", "d5", "elsewhere"));
        assertEquals(List.of("text 6", "text 7", "text 8"), s.texts());
        assertEquals(4, s.eligible());
        assertEquals(6, s.excluded());
        assertEquals(
                4,
                CorpusSample.evenly(numbered(10), 50, Set.of("d9", "d8", "d7", "d6", "d5", "d4"))
                        .documents()
                        .size());
    }
}
