package dev.saekit.samples;

import dev.saekit.io.Npy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The default data set, shipped inside the jar: 100-d GloVe 6B vectors of the 10,000 most frequent
 * words ({@code glove-100d.npy}, float32 [10000, 100]) and the words ({@code glove-words.txt}),
 * row i being word i. See {@code dev/saekit/samples/data/README.md} for sources and licences. (The
 * embedded English text corpus for text models is {@code dev.saekit.onnx.text.TextCorpus.embedded()}.)
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

    private static InputStream open(String name) throws IOException {
        InputStream in = EmbeddedData.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IOException("the embedded data set is missing from the classpath: " + DIR + name);
        }
        return in;
    }
}
