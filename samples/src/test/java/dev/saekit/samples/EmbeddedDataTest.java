package dev.saekit.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded data: the GloVe subset's rows and words line up. */
class EmbeddedDataTest {

    @Test
    void theVectorsAndTheWordsLineUp() throws IOException {
        assertArrayEquals(new long[] {10_000, 100}, EmbeddedData.vectors().shape());
        List<String> words = EmbeddedData.words();
        assertEquals(10_000, words.size());
        assertEquals("the", words.get(0));
    }
}
