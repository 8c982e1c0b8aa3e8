package dev.saekit.onnx.text;

import dev.saekit.io.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Friendly names for the tensors of a BERT-style encoder exported by HuggingFace's ONNX exporter
 * (post-LayerNorm layers {@code /encoder/layer.{i}/...}), resolved against the tensor names of one
 * graph:
 *
 * <ul>
 *   <li>{@code embeddings}: {@code /embeddings/LayerNorm/Add_1_output_0}, the residual stream
 *       before layer 0;
 *   <li>{@code residual:i}: after layer i, {@code /encoder/layer.{i}/output/LayerNorm/Add_1_output_0}
 *       (the last layer's is the output {@code last_hidden_state});
 *   <li>{@code mlp_in:i}: layer i's MLP input, after its attention block,
 *       {@code /encoder/layer.{i}/attention/output/LayerNorm/Add_1_output_0};
 *   <li>{@code mlp_hidden:i}: the MLP's hidden units after GELU,
 *       {@code /encoder/layer.{i}/intermediate/intermediate_act_fn/Mul_1_output_0};
 *   <li>{@code mlp_out:i}: the MLP's output before the residual add,
 *       {@code /encoder/layer.{i}/output/dense/Add_output_0}.
 * </ul>
 *
 * The number of layers is the number of distinct {@code /encoder/layer.{i}/} prefixes. A name that
 * is not friendly is taken as a tensor name as it is.
 */
final class BertTaps {
    static final String EMBEDDINGS = "embeddings";
    static final String LAST_HIDDEN_STATE = "last_hidden_state";

    private static final Pattern LAYER = Pattern.compile("^/encoder/layer\\.(\\d+)/");
    private static final Pattern FRIENDLY = Pattern.compile("([a-z_]+):(-?\\d+)");
    private static final int CLOSE_NAMES = 6;

    /** The per-layer kinds, with the tensor name pattern of each ({@code %d} the layer). */
    private static final Map<String, String> PER_LAYER = new LinkedHashMap<>();

    static {
        PER_LAYER.put("residual", "/encoder/layer.%d/output/LayerNorm/Add_1_output_0");
        PER_LAYER.put("mlp_in", "/encoder/layer.%d/attention/output/LayerNorm/Add_1_output_0");
        PER_LAYER.put("mlp_hidden", "/encoder/layer.%d/intermediate/intermediate_act_fn/Mul_1_output_0");
        PER_LAYER.put("mlp_out", "/encoder/layer.%d/output/dense/Add_output_0");
    }

    private final Set<String> tensors;
    private final int layers;
    private final Map<String, String> friendly = new LinkedHashMap<>();

    /** The friendly names among {@code tensors} (every tensor the graph's nodes compute). */
    BertTaps(Set<String> tensors) {
        this.tensors = tensors;
        int max = -1;
        for (String t : tensors) {
            Matcher m = LAYER.matcher(t);
            if (m.find()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        this.layers = max + 1;
        put(EMBEDDINGS, "/embeddings/LayerNorm/Add_1_output_0");
        for (String kind : PER_LAYER.keySet()) {
            for (int i = 0; i < layers; i++) {
                put(kind + ":" + i, tensorOf(kind, i));
            }
        }
    }

    private String tensorOf(String kind, int layer) {
        String name = String.format(Locale.ROOT, PER_LAYER.get(kind), layer);
        if (kind.equals("residual") && layer == layers - 1 && !tensors.contains(name)) {
            return LAST_HIDDEN_STATE;
        }
        return name;
    }

    private void put(String name, String tensor) {
        if (tensors.contains(tensor)) {
            friendly.put(name, tensor);
        }
    }

    /** The number of encoder layers. */
    int layers() {
        return layers;
    }

    /** Friendly name to tensor name, for every friendly name this graph has. */
    Map<String, String> friendly() {
        return friendly;
    }

    /** The tensor that {@code name} (friendly or a tensor name) stands for. */
    String resolve(String name) {
        String tensor = friendly.get(name);
        if (tensor != null) {
            return tensor;
        }
        if (tensors.contains(name)) {
            return name;
        }
        Matcher m = FRIENDLY.matcher(name);
        if (m.matches() && PER_LAYER.containsKey(m.group(1))) {
            throw new IllegalArgumentException("tap '" + name + "': this model has " + layers
                    + " layers, so the layer must be in 0.." + (layers - 1) + " (friendly names: "
                    + String.join(", ", friendly.keySet()) + ")");
        }
        List<String> all = new ArrayList<>(friendly.keySet());
        all.addAll(tensors);
        throw new IllegalArgumentException("tap '" + name + "' is neither a friendly name ("
                + (friendly.isEmpty() ? "this model has none" : String.join(", ", friendly.keySet()))
                + ") nor a tensor of the model; close names: "
                + String.join(", ", Names.closest(name, all, CLOSE_NAMES)) + " (saekit onnx-info lists every tensor)");
    }
}
