package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.files.AtomicFiles;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.PrefixMatryoshkaSae;
import dev.saekit.model.PrefixMatryoshkaSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SAELens' TRAINING format of its BatchTopK SAEs ({@code SAE.save_model} on a training SAE, what
 * its trainer's checkpoints hold): {@code cfg.json} with {@code architecture} {@code batchtopk} or
 * {@code matryoshka_batchtopk}, a float {@code k} per sample, {@code matryoshka_widths} and
 * {@code rescale_acts_by_decoder_norm}; {@code sae_weights.safetensors} with {@code W_enc},
 * {@code b_enc}, {@code W_dec} (not normalised), {@code b_dec} and the learned float64 0-d
 * {@code topk_threshold}.
 *
 * <p>With {@code rescale_acts_by_decoder_norm}, SAELens encodes
 * {@code relu(((x - b_dec) W_enc + b_enc) * ||W_dec[j]||)} and decodes
 * {@code (z / ||W_dec[j]||) W_dec + b_dec}: import folds the norms into {@code W_enc} and
 * {@code b_enc} and divides them out of {@code W_dec}, so saekit's BatchTopK (or prefix Matryoshka,
 * prefixes = the widths) computes the same codes. In training both keep the {@code k * rows}
 * largest codes of the batch; in evaluation saekit keeps codes above {@code topk_threshold}, as
 * SAELens' inference model (JumpReLU with that threshold) does ({@link StrictThreshold}). Export
 * writes the folded weights with {@code rescale_acts_by_decoder_norm} false, which computes the same.
 */
final class SaeLensTrainingFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SaeLensTrainingFormat() {}

    static SparseAutoencoder read(Path dir, JsonNode cfg, String arch, int dIn, int dSae, DType dtype)
            throws IOException {
        Path cfgFile = dir.resolve(SaeLensFormat.CONFIG);
        JsonNode kNode = cfg.get("k");
        double kValue = kNode != null && kNode.isNumber() ? kNode.asDouble() : Double.NaN;
        if (!(kValue >= 1 && kValue <= dSae && kValue == Math.rint(kValue))) {
            throw new MalformedFileException(
                    cfgFile.toString(),
                    "field 'k' must be a whole number of codes per sample in 1.." + dSae + ", was " + kNode
                            + " (saekit keeps an integer k)");
        }
        BatchTopKSae.BatchK k = new BatchTopKSae.BatchK.PerSample((int) kValue);
        VariantSpec variant;
        if (arch.equals("matryoshka_batchtopk")) {
            List<Integer> widths = new ArrayList<>();
            JsonNode w = cfg.path("matryoshka_widths");
            for (JsonNode n : w) {
                if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                    throw new MalformedFileException(cfgFile.toString(), "matryoshka_widths holds " + n);
                }
                widths.add(n.asInt());
            }
            if (widths.isEmpty()
                    || widths.get(widths.size() - 1) != dSae
                    || !widths.stream().sorted().distinct().toList().equals(widths)) {
                throw new MalformedFileException(
                        cfgFile.toString(),
                        "matryoshka_widths must increase and end with d_sae " + dSae + ", was " + w);
            }
            variant = new PrefixMatryoshkaSpec(widths.subList(0, widths.size() - 1), k, BatchTopKSpec.DEFAULT_MOMENTUM);
        } else {
            variant = new BatchTopKSpec(k, BatchTopKSpec.DEFAULT_MOMENTUM);
        }
        boolean rescale = cfg.path("rescale_acts_by_decoder_norm").asBoolean(true);
        SaeConfig sae = new SaeConfig(dIn, dSae, EncoderKind.LINEAR, DictionaryConfig.defaults(), dtype, 0);
        ModelSpec spec;
        try {
            spec = new ModelSpec(
                    sae,
                    variant,
                    new ModelSpec.DictionarySpec.Plain(),
                    new ModelSpec.EncoderSpec.SaeLens(
                            cfg.path("apply_b_dec_to_input").asBoolean(true)));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(cfgFile.toString(), e.getMessage());
        }
        Path weightsFile = dir.resolve(SaeLensFormat.WEIGHTS);
        SafetensorsFile f = Safetensors.header(weightsFile);
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("W_enc", new long[] {dIn, dSae});
        expected.put("b_enc", new long[] {dSae});
        expected.put("W_dec", new long[] {dSae, dIn});
        expected.put("b_dec", new long[] {dIn});
        expected.put("topk_threshold", new long[0]);
        SaeLensFormat.requireTensors(f, weightsFile, expected, arch);
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            INDArray v = f.read(name, DType.FLOAT64);
            Checkpoints.requireFinite(v, name, weightsFile);
            w.put(name, v);
        }
        if (rescale) {
            INDArray norms = w.get("W_dec").norm2(1);
            double smallest = norms.minNumber().doubleValue();
            if (!(smallest > 0)) {
                throw new MalformedFileException(
                        weightsFile.toString(),
                        "W_dec has a row of norm 0, which rescale_acts_by_decoder_norm divides by");
            }
            w.get("W_enc").muliRowVector(norms);
            w.get("b_enc").muli(norms);
            w.get("W_dec").diviColumnVector(norms.reshape(dSae, 1));
        }
        SparseAutoencoder model = spec.build();
        for (String name : List.of("W_enc", "b_enc", "W_dec", "b_dec")) {
            model.parameter(name).orElseThrow().assign(Tensors.copy(w.get(name), dtype));
        }
        double tau = StrictThreshold.above(w.get("topk_threshold").getDouble(0), dtype);
        model.parameter(BatchTopKSae.RUNNING_THRESHOLD).orElseThrow().assign(Tensors.scalar(dtype, tau));
        return model;
    }

    /** Writes {@code model} as a {@code matryoshka_batchtopk} training-format SAE for raw inputs (see the class comment). */
    static void writeMatryoshka(SparseAutoencoder model, Path dir, INDArray inputMean, double inputScale)
            throws IOException {
        PrefixMatryoshkaSae m = (PrefixMatryoshkaSae) model;
        if (!(m.k() instanceof BatchTopKSae.BatchK.PerSample perSample)) {
            throw new IllegalArgumentException(
                    "SAELens' k is per sample; this model keeps " + m.k() + " (train with k per sample to export it)");
        }
        double tau = m.runningThreshold();
        if (Double.isNaN(tau)) {
            throw new IllegalStateException("this Matryoshka model has no running threshold yet (train it first); "
                    + "SAELens saves it as topk_threshold");
        }
        RawInputWeights raw = RawInputWeights.of(model, inputMean, inputScale);
        Map<String, INDArray> w = new LinkedHashMap<>();
        w.put("W_enc", Tensors.copy(raw.wEnc(), DType.FLOAT32));
        w.put("b_enc", Tensors.copy(raw.bEnc(), DType.FLOAT32));
        w.put("W_dec", Tensors.copy(raw.wDec(), DType.FLOAT32));
        w.put("b_dec", Tensors.copy(raw.bDec(), DType.FLOAT32));
        w.put("topk_threshold", Tensors.scalar(DType.FLOAT64, StrictThreshold.below(tau, model.dtype())));
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("d_in", model.inputDim());
        cfg.put("d_sae", model.nbConcepts());
        cfg.put("dtype", "float32");
        cfg.put("device", "cpu");
        cfg.put("apply_b_dec_to_input", true);
        cfg.put("normalize_activations", "none");
        cfg.put("reshape_activations", "none");
        cfg.putObject("metadata");
        cfg.put("decoder_init_norm", 0.1);
        cfg.put("k", (double) perSample.k());
        cfg.put("use_sparse_activations", false);
        cfg.put("aux_loss_coefficient", 1.0);
        cfg.put("rescale_acts_by_decoder_norm", false);
        cfg.put("topk_threshold_lr", 0.01);
        ArrayNode widths = cfg.putArray("matryoshka_widths");
        Arrays.stream(m.prefixes()).forEach(widths::add);
        cfg.put("architecture", "matryoshka_batchtopk");
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(SaeLensFormat.WEIGHTS), w, Map.of());
        AtomicFiles.write(dir.resolve(SaeLensFormat.CONFIG), JSON.writeValueAsBytes(cfg));
    }
}
