package dev.saekit.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The embedded data: the GloVe subset's rows and words, and the WordNet corpus as make_wordnet_subset.py writes it. */
class EmbeddedDataTest {

    @Test
    void theVectorsAndTheWordsLineUp() throws IOException {
        assertArrayEquals(new long[] {10_000, 100}, EmbeddedData.vectors().shape());
        List<String> words = EmbeddedData.words();
        assertEquals(10_000, words.size());
        assertEquals("the", words.get(0));
    }

    @Test
    void theCorpusHoldsEveryDocumentOnceWithItsLicenceBeside() throws IOException {
        List<EmbeddedData.Document> docs = EmbeddedData.wordnetDocuments();
        assertEquals(18_396, docs.size(), "documents written by samples/data/make_wordnet_subset.py --every 10");
        Set<String> ids = new HashSet<>();
        for (EmbeddedData.Document d : docs) {
            assertTrue(ids.add(d.id()), "unique id " + d.id());
            assertTrue(d.id().matches("wn:[nvar]:\\d{8}:[de]\\d+"), d.id());
            assertFalse(d.text().isBlank(), d.id());
        }
        assertEquals(
                new EmbeddedData.Document("wn:n:00034939:e1", "I wasted a year of my life working on an abort"),
                docs.get(4));
        try (InputStream licence =
                        EmbeddedData.class.getResourceAsStream("/dev/saekit/samples/data/WORDNET-LICENSE.txt");
                InputStream corpus =
                        EmbeddedData.class.getResourceAsStream("/dev/saekit/samples/data/wordnet-subset.jsonl")) {
            assertNotNull(licence, "the WordNet licence travels with the corpus");
            assertTrue(corpus.readAllBytes().length < 2_000_000, "the embedded corpus stays under 2 MB");
        }
    }
}
