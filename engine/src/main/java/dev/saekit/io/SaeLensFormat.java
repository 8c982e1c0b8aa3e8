package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.files.AtomicFiles;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.JumpKernel;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.JumpSae;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.PrefixMatryoshkaSae;
import dev.saekit.model.Sae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSae;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * SAEs in SAELens' format: a directory with {@code cfg.json} ({@code architecture}, {@code d_in},
 * {@code d_sae}, {@code k} for TopK, {@code apply_b_dec_to_input}, {@code normalize_activations}) and
 * {@code sae_weights.safetensors} ({@code W_enc [d_in, d_sae]}, {@code b_enc}, {@code W_dec [d_sae, d_in]},
 * {@code b_dec}, and {@code threshold} for JumpReLU). SAELens computes
 * {@code pre = (x - b_dec) W_enc + b_enc} and {@code x_hat = z W_dec + b_dec} with {@code z} = ReLU,
 * TopK, or {@code pre * 1[pre > threshold]}.
 *
 * <p>Import builds a model in the SAELens layout ({@link ModelSpec.EncoderSpec.SaeLens}): vanilla,
 * TopK, or JumpReLU with log-thresholds {@code ln(threshold)} (which needs every threshold > 0).
 * Export writes vanilla, TopK and JumpReLU models with a linear encoder or the SAELens layout, and
 * BatchTopK models as JumpReLU with the running threshold for every latent (how SAELens serves
 * BatchTopK SAEs). Other variants have no SAELens architecture and are refused.
 */
public final class SaeLensFormat {
    public static final String CONFIG = "cfg.json";
    public static final String WEIGHTS = "sae_weights.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SaeLensFormat() {}

    /** The SAE in {@code dir}, computing in {@code dtype}. */
    public static SparseAutoencoder read(Path dir, DType dtype) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode cfg;
        try {
            cfg = JSON.readTree(cfgFile.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new MalformedFileException(cfgFile.toString(), "not valid JSON: " + e.getOriginalMessage());
        }
        String arch = text(cfg, "architecture", cfgFile);
        int dIn = positive(cfg, "d_in", cfgFile);
        int dSae = positive(cfg, "d_sae", cfgFile);
        String norm = cfg.path("normalize_activations").asText("none");
        if (!norm.equals("none")) {
            throw new MalformedFileException(
                    cfgFile.toString(),
                    "normalize_activations '" + norm + "' is not supported;"
                            + " saekit imports SAEs that see the raw activations (\"none\")");
        }
        if (arch.equals("batchtopk") || arch.equals("matryoshka_batchtopk")) {
            return SaeLensTrainingFormat.read(dir, cfg, arch, dIn, dSae, dtype);
        }
        if (SaeLensTranscoders.ARCHITECTURES.contains(arch)) {
            return SaeLensTranscoders.read(dir, cfg, arch, dIn, dSae, dtype);
        }
        boolean subtract = cfg.path("apply_b_dec_to_input").asBoolean(true);
        VariantSpec variant = switch (arch) {
            case "standard" -> new VanillaSpec();
            case "topk" -> new TopKSpec(positive(cfg, "k", cfgFile));
            case "jumprelu" ->
                new JumpReluSpec(JumpKernel.RECTANGLE, (float)
                        cfg.path("jumprelu_bandwidth").asDouble(1e-3));
            default ->
                throw new MalformedFileException(
                        cfgFile.toString(),
                        "architecture '" + arch + "' is not supported; saekit imports standard, topk, jumprelu, "
                                + "transcoder, skip_transcoder, jumprelu_transcoder "
                                + "and the training formats batchtopk and matryoshka_batchtopk");
        };
        SaeConfig sae = new SaeConfig(dIn, dSae, EncoderKind.LINEAR, DictionaryConfig.defaults(), dtype, 0);
        ModelSpec spec;
        try {
            spec = new ModelSpec(
                    sae, variant, new ModelSpec.DictionarySpec.Plain(), new ModelSpec.EncoderSpec.SaeLens(subtract));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(cfgFile.toString(), e.getMessage());
        }
        Path weightsFile = dir.resolve(WEIGHTS);
        SafetensorsFile f = Safetensors.header(weightsFile);
        // every tensor's shape against cfg.json's sizes, before the model is allocated
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("W_enc", new long[] {dIn, dSae});
        expected.put("b_enc", new long[] {dSae});
        expected.put("W_dec", new long[] {dSae, dIn});
        expected.put("b_dec", new long[] {dIn});
        if (arch.equals("jumprelu")) {
            expected.put("threshold", new long[] {dSae});
        }
        requireTensors(f, weightsFile, expected, arch);
        SparseAutoencoder model = spec.build();
        for (String name : new String[] {"W_enc", "b_enc", "W_dec", "b_dec"}) {
            INDArray value = f.read(name, dtype);
            Checkpoints.requireFinite(value, name, weightsFile);
            assign(model, name, value, weightsFile);
        }
        if (model instanceof JumpSae jump) {
            loadThresholds(jump, f.read("threshold", dtype), weightsFile);
        }
        return model;
    }

    /** {@code threshold} (all > 0) as {@code jump}'s log-thresholds. */
    static void loadThresholds(JumpSae jump, INDArray threshold, Path weightsFile) throws IOException {
        Checkpoints.requireFinite(threshold, "threshold", weightsFile);
        if (!(threshold.minNumber().doubleValue() > 0)) {
            throw new MalformedFileException(
                    weightsFile.toString(),
                    "threshold has a value <= 0 (" + threshold.minNumber()
                            + "); saekit's JumpReLU learns log-thresholds and needs positive ones");
        }
        jump.thresholds().assign(Transforms.log(threshold, true));
    }

    /** {@code f} holds exactly the tensors {@code expected}, of those shapes; checked before a model is allocated. */
    static void requireTensors(SafetensorsFile f, Path weightsFile, Map<String, long[]> expected, String arch)
            throws MalformedFileException {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TensorEntry t = f.tensors().get(e.getKey());
            if (t == null) {
                throw new MalformedFileException(
                        weightsFile.toString(), "has no tensor '" + e.getKey() + "' that a " + arch + " SAE needs");
            }
            if (!java.util.Arrays.equals(t.shape(), e.getValue())) {
                throw new MalformedFileException(
                        weightsFile.toString(),
                        "'" + e.getKey() + "' has shape "
                                + java.util.Arrays.toString(t.shape()) + " but "
                                + weightsFile.resolveSibling(CONFIG).getFileName()
                                + " (" + sizes(expected) + ") needs "
                                + java.util.Arrays.toString(e.getValue()) + ": the weights and cfg.json disagree");
            }
        }
        for (String name : f.tensors().keySet()) {
            if (!expected.containsKey(name)) {
                throw new MalformedFileException(
                        weightsFile.toString(), "has a tensor '" + name + "' that a " + arch + " SAE does not use");
            }
        }
    }

    /** The sizes the expected shapes come from, as cfg.json names them: {@code d_in 13, d_sae 40}. */
    private static String sizes(Map<String, long[]> expected) {
        long[] b = expected.values().stream()
                .filter(v -> v.length == 2)
                .findFirst()
                .orElse(new long[] {0, 0});
        return expected.containsKey("W_enc")
                ? "d_in " + b[0] + ", d_sae " + b[1]
                : "d_in " + b[1] + ", num_latents " + b[0];
    }

    private static void assign(SparseAutoencoder model, String name, INDArray value, Path file)
            throws MalformedFileException {
        try {
            model.parameter(name).orElseThrow().assign(value);
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(file.toString(), e.getMessage());
        }
    }

    /** Writes {@code model} to {@code dir} (created) in SAELens' format, float32. */
    public static void write(SparseAutoencoder model, Path dir) throws IOException {
        write(model, dir, null, 1.0);
    }

    /**
     * Writes {@code model}, trained on inputs from which the mean row {@code inputMean} was subtracted
     * (null: none) and which were then multiplied by {@code inputScale} (1: none), to {@code dir}
     * (created) in SAELens' format, float32, for RAW inputs: the mean goes into {@code b_dec}, which
     * SAELens subtracts from the input ({@code apply_b_dec_to_input}, always true here) and adds to the
     * reconstruction, and the scale into {@code W_enc} (times it) and {@code W_dec} (divided by it), so
     * SAELens computes saekit's codes and a reconstruction in the inputs' own space.
     */
    public static void write(SparseAutoencoder model, Path dir, INDArray inputMean, double inputScale)
            throws IOException {
        ObjectNode cfg = JSON.createObjectNode();
        Map<String, INDArray> w = new LinkedHashMap<>();
        if (model instanceof PrefixMatryoshkaSae m) {
            SaeLensTrainingFormat.writeMatryoshka(m, dir, inputMean, inputScale);
            return;
        }
        if (model.coder() instanceof CoderSpec.Transcoder) {
            SaeLensTranscoders.write(model, dir, inputMean, inputScale);
            return;
        }
        if (!model.spec().isAutoencoder()) {
            throw new IllegalArgumentException(
                    "SAELens has no " + model.coder().kind() + "; export crosscoders to dictionary-learning");
        }
        String arch;
        if (model instanceof JumpSae j) {
            arch = "jumprelu";
            w.put("threshold", Transforms.exp(j.thresholds().value(), true));
        } else if (model instanceof BatchTopKSae b) {
            double tau = b.runningThreshold();
            if (Double.isNaN(tau)) {
                throw new IllegalStateException("this BatchTopK model has no running threshold yet (train it first); "
                        + "SAELens serves BatchTopK as JumpReLU with that threshold");
            }
            arch = "jumprelu";
            w.put("threshold", Tensors.ones(model.dtype(), model.nbConcepts()).muli(tau));
        } else if (model instanceof TopKSae t) {
            arch = "topk";
            cfg.put("k", t.k());
        } else if (model instanceof Sae) {
            arch = "standard";
        } else {
            throw new IllegalArgumentException("SAELens has no architecture for a "
                    + model.spec().variant().name()
                    + " model; export vanilla, topk, batchtopk, matryoshka (prefix) or jumprelu models");
        }
        RawInputWeights raw = RawInputWeights.of(model, inputMean, inputScale);
        w.put("W_enc", raw.wEnc());
        w.put("b_enc", raw.bEnc());
        w.put("b_dec", raw.bDec());
        w.put("W_dec", raw.wDec());
        Map<String, INDArray> f32 = new LinkedHashMap<>();
        w.forEach((k, v) -> f32.put(k, Tensors.copy(v, DType.FLOAT32)));
        cfg.put("architecture", arch);
        cfg.put("d_in", model.inputDim());
        cfg.put("d_sae", model.nbConcepts());
        cfg.put("dtype", "float32");
        cfg.put("device", "cpu");
        cfg.put("apply_b_dec_to_input", true);
        cfg.put("normalize_activations", "none");
        cfg.put("model_from", "saekit " + model.spec().variant().name());
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(WEIGHTS), f32, Map.of());
        AtomicFiles.write(dir.resolve(CONFIG), JSON.writeValueAsBytes(cfg));
    }

    private static String text(JsonNode n, String field, Path file) throws MalformedFileException {
        JsonNode f = n.get(field);
        if (f == null || !f.isTextual()) {
            throw new MalformedFileException(file.toString(), "missing or non-text field '" + field + "'");
        }
        return f.asText();
    }

    private static int positive(JsonNode n, String field, Path file) throws MalformedFileException {
        JsonNode f = n.get(field);
        if (f == null || !f.isIntegralNumber() || !f.canConvertToInt() || f.asInt() <= 0) {
            throw new MalformedFileException(
                    file.toString(), "field '" + field + "' must be a positive integer, was " + f);
        }
        return f.asInt();
    }
}
