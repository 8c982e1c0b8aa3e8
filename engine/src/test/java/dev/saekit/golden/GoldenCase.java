package dev.saekit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One golden case in the {@code sae-golden/1} format: a JSON object with the model description,
 * the procedure, and tensors {@code {"shape": [...], "dtype": ..., "data": [...]}} in groups
 * ({@code params_init}, {@code inputs}, {@code outputs}, {@code params_after}, {@code grads}, ...).
 */
final class GoldenCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path file;
    final JsonNode root;

    private GoldenCase(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    static GoldenCase read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return new GoldenCase(file, JSON.readTree(in));
        }
    }

    String name() {
        return root.path("case").asText(file.getFileName().toString());
    }

    String modelClass() {
        return root.path("model").path("class").asText();
    }

    String mode() {
        return root.path("model").path("mode").asText("train");
    }

    DType dtype() {
        return DType.parse(root.path("model").path("dtype").asText("float32"));
    }

    JsonNode hyper() {
        return root.path("model").path("hyperparameters");
    }

    boolean has(String group) {
        return root.has(group) && !root.get(group).isNull();
    }

    /** The tensors of a group (e.g. {@code outputs}), in file order, as the case's dtype (int64 kept). */
    Map<String, INDArray> group(String group) {
        return tensors(root.path(group));
    }

    Map<String, INDArray> tensors(JsonNode node) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (isTensor(e.getValue())) {
                m.put(e.getKey(), tensor(e.getValue()));
            }
        }
        return m;
    }

    static boolean isTensor(JsonNode n) {
        return n != null && n.isObject() && n.has("shape") && n.has("data");
    }

    INDArray tensor(JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        JsonNode data = t.get("data");
        String type = t.path("dtype").asText("");
        if (type.startsWith("int")) {
            long[] v = new long[data.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.get(i).asLong();
            }
            return shape.length == 0
                    ? Nd4j.scalar(DataType.LONG, v[0])
                    : Nd4j.createFromArray(v).reshape(shape);
        }
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).asDouble();
        }
        if (type.equals("float32") && dtype() == DType.FLOAT64) {
            // a float32 value widened: the decimal is the float's exact value, so this is lossless
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) v[i];
            }
        }
        return Tensors.fromFlat(dtype(), v, shape);
    }

    /** A scalar from {@code scalars}, or NaN when absent. */
    double scalar(String name) {
        JsonNode n = root.path("scalars").get(name);
        return n == null || n.isNull() ? Double.NaN : n.asDouble();
    }

    List<String> stringList(String field) {
        List<String> out = new ArrayList<>();
        root.path(field).forEach(n -> out.add(n.asText()));
        return out;
    }
}
