package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.files.AtomicFiles;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.JumpKernel;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.JumpSae;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.Sae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * SAELens' transcoders ({@code SAE.save_model} of {@code Transcoder}, {@code SkipTranscoder},
 * {@code JumpReLUTranscoder}): {@code cfg.json} with {@code architecture} {@code transcoder},
 * {@code skip_transcoder} or {@code jumprelu_transcoder}, {@code d_in}, {@code d_sae}, {@code d_out}
 * and {@code apply_b_dec_to_input} false; {@code sae_weights.safetensors} with {@code W_enc [d_in, d_sae]},
 * {@code b_enc}, {@code W_dec [d_sae, d_out]}, {@code b_dec [d_out]}, a skip transcoder's
 * {@code W_skip [d_out, d_in]} and a JumpReLU transcoder's {@code threshold [d_sae]}.
 *
 * <p>SAELens computes {@code h = x W_enc + b_enc}, codes {@code relu(h)} (JumpReLU:
 * {@code relu(h) * 1[h > threshold]}) and {@code z W_dec + b_dec (+ x W_skip^T)}: saekit's vanilla or
 * JumpReLU {@link CoderSpec.Transcoder}. JumpReLU's log-thresholds are {@code ln(threshold)}, as for
 * SAELens' JumpReLU SAEs ({@link SaeLensFormat}), which needs every threshold > 0; saekit keeps
 * {@code r >= exp(t)} where SAELens keeps {@code h > threshold}, the same codes but at an exact tie.
 */
final class SaeLensTranscoders {
    static final Set<String> ARCHITECTURES = Set.of("transcoder", "skip_transcoder", "jumprelu_transcoder");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SaeLensTranscoders() {}

    static SparseAutoencoder read(Path dir, JsonNode cfg, String arch, int dIn, int dSae, DType dtype)
            throws IOException {
        Path cfgFile = dir.resolve(SaeLensFormat.CONFIG);
        int dOut = cfg.has("d_out") ? Json.positive(cfg, "d_out", cfgFile) : dIn;
        if (cfg.path("apply_b_dec_to_input").asBoolean(false)) {
            throw new MalformedFileException(
                    cfgFile.toString(),
                    "a " + arch + " with apply_b_dec_to_input true; SAELens' transcoders (and saekit's) do not "
                            + "subtract b_dec, which has d_out entries, from their input");
        }
        boolean skip = arch.equals("skip_transcoder");
        boolean jump = arch.equals("jumprelu_transcoder");
        VariantSpec variant = jump
                ? new JumpReluSpec(JumpKernel.RECTANGLE, (float)
                        cfg.path("jumprelu_bandwidth").asDouble(1e-3))
                : new VanillaSpec();
        ModelSpec spec;
        try {
            spec = ModelSpec.coder(
                    new SaeConfig(dIn, dSae, EncoderKind.LINEAR, DictionaryConfig.defaults(), dtype, 0),
                    variant,
                    new CoderSpec.Transcoder(dOut, skip));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(cfgFile.toString(), e.getMessage());
        }
        Path weightsFile = dir.resolve(SaeLensFormat.WEIGHTS);
        SafetensorsFile f = Safetensors.header(weightsFile);
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("W_enc", new long[] {dIn, dSae});
        expected.put("b_enc", new long[] {dSae});
        expected.put("W_dec", new long[] {dSae, dOut});
        expected.put("b_dec", new long[] {dOut});
        if (skip) {
            expected.put(ModelSpec.SKIP, new long[] {dOut, dIn});
        }
        if (jump) {
            expected.put("threshold", new long[] {dSae});
        }
        SaeLensFormat.requireTensors(f, weightsFile, expected, arch);
        SparseAutoencoder model = spec.build();
        for (String name : expected.keySet()) {
            if (name.equals("threshold")) {
                continue;
            }
            INDArray value = f.read(name, dtype);
            Checkpoints.requireFinite(value, name, weightsFile);
            model.parameter(name).orElseThrow().assign(value);
        }
        if (model instanceof JumpSae j) {
            SaeLensFormat.loadThresholds(j, f.read("threshold", dtype), weightsFile);
        }
        return model;
    }

    /** Writes the vanilla or JumpReLU transcoder {@code model} to {@code dir} (created), float32. */
    static void write(SparseAutoencoder model, Path dir, INDArray inputMean, double inputScale) throws IOException {
        CoderSpec.Transcoder t = (CoderSpec.Transcoder) model.coder();
        String arch;
        if (model instanceof JumpSae) {
            if (t.skip()) {
                throw new IllegalArgumentException("SAELens has no JumpReLU skip transcoder; "
                        + "export a JumpReLU transcoder without skip, or a vanilla skip transcoder");
            }
            arch = "jumprelu_transcoder";
        } else if (model instanceof Sae) {
            arch = t.skip() ? "skip_transcoder" : "transcoder";
        } else {
            throw new IllegalArgumentException("SAELens' transcoders are vanilla (ReLU) or JumpReLU; a "
                    + model.spec().variant().name() + " transcoder has no SAELens architecture");
        }
        CoderWeights w = CoderWeights.of(model, inputMean, inputScale);
        // the order of the transcoders' state_dict()
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("W_dec", w.wDec());
        tensors.put("W_enc", w.wEnc());
        tensors.put("b_dec", w.bDec());
        tensors.put("b_enc", w.bEnc());
        if (w.skip() != null) {
            tensors.put(ModelSpec.SKIP, w.skip());
        }
        if (model instanceof JumpSae j) {
            tensors.put("threshold", Transforms.exp(j.thresholds().value(), true));
        }
        Map<String, INDArray> f32 = new LinkedHashMap<>();
        tensors.forEach((k, v) -> f32.put(k, Tensors.copy(v, DType.FLOAT32)));
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("d_in", model.inputDim());
        cfg.put("d_sae", model.nbConcepts());
        cfg.put("dtype", "float32");
        cfg.put("device", "cpu");
        cfg.put("apply_b_dec_to_input", false);
        cfg.put("normalize_activations", "none");
        cfg.put("reshape_activations", "none");
        cfg.put("d_out", model.outputDim());
        cfg.put("architecture", arch);
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(SaeLensFormat.WEIGHTS), f32, Map.of());
        AtomicFiles.write(dir.resolve(SaeLensFormat.CONFIG), JSON.writeValueAsBytes(cfg));
    }
}
