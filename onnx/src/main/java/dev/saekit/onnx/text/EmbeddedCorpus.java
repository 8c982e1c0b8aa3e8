package dev.saekit.onnx.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The English corpus inside saekit's jar: 18,396 definitions and example sentences of WordNet 3.0
 * ({@code wordnet-subset.jsonl} beside this class, with its licence and a README saying how
 * {@code onnx/data/make_wordnet_subset.py} cut it), so that a fresh clone harvests and evaluates
 * text without any package. Its documents, ids included, are exactly those of {@link
 * TextCorpus#wordnet} whose synset's CRC-32 of {@code POS:OFFSET} is a multiple of 10, in order.
 */
final class EmbeddedCorpus implements TextCorpus {
    static final String RESOURCE = "wordnet-subset.jsonl";
    static final int DOCUMENTS = 18_396;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String description() {
        return "WordNet 3.0 subset embedded in saekit (" + DOCUMENTS + " documents)";
    }

    @Override
    public Reader open() throws IOException {
        InputStream in = EmbeddedCorpus.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IOException("the embedded corpus " + RESOURCE
                    + " is missing from the class path: saekit-onnx's jar" + " is incomplete; build it again");
        }
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return new Reader() {
            private int number;

            @Override
            public Document next() throws IOException {
                String line = lines.readLine();
                if (line == null) {
                    return null;
                }
                number++;
                JsonNode n = JSON.readTree(line);
                if (n == null || !n.path("id").isTextual() || !n.path("text").isTextual()) {
                    throw new IOException(RESOURCE + " line " + number + ": not a {\"id\": ..., \"text\": ...} object;"
                            + " saekit-onnx's jar is damaged");
                }
                return new Document(n.get("id").asText(), n.get("text").asText());
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }
}
