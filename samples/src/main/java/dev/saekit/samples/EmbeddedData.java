package dev.saekit.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.Npy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The default data set, shipped inside the jar: 100-d GloVe 6B vectors of the 10,000 most frequent
 * words ({@code glove-100d.npy}, float32 [10000, 100]) and the words ({@code glove-words.txt}),
 * row i being word i; and a corpus of English text, 18,396 definitions and example sentences of
 * WordNet 3.0 ({@code wordnet-subset.jsonl}), for the activations of text models. See
 * {@code dev/saekit/samples/data/README.md} for sources and licences.
 */
public final class EmbeddedData {
    public static final String DESCRIPTION = "GloVe 6B 100-d vectors of the 10,000 most frequent words (embedded)";
    private static final String DIR = "/dev/saekit/samples/data/";

    private EmbeddedData() {}

    /** The vectors, float32 [10000, 100]. */
    public static INDArray vectors() throws IOException {
        try (InputStream in = open("glove-100d.npy")) {
            return Npy.read(in, "glove-100d.npy (embedded)");
        }
    }

    /** The words, row i of {@link #vectors()} being word i. */
    public static List<String> words() throws IOException {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(open("glove-words.txt"), StandardCharsets.UTF_8))) {
            return r.lines().collect(Collectors.toList());
        }
    }

    /** One document of a text corpus: its id and its text. */
    public record Document(String id, String text) {}

    /** The embedded English corpus, in file order: WordNet definitions and examples, one per document. */
    public static List<Document> wordnetDocuments() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Document> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(CORPUS), StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                JsonNode n = json.readTree(line);
                if (n == null || !n.path("id").isTextual() || !n.path("text").isTextual()) {
                    throw new IOException(CORPUS + " line " + number + ": not a {\"id\": ..., \"text\": ...} object");
                }
                out.add(new Document(n.get("id").asText(), n.get("text").asText()));
            }
        }
        return out;
    }

    private static final String CORPUS = "wordnet-subset.jsonl";

    private static InputStream open(String name) throws IOException {
        InputStream in = EmbeddedData.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IOException("the embedded data set is missing from the classpath: " + DIR + name);
        }
        return in;
    }
}
