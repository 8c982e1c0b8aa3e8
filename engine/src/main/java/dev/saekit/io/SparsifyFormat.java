package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.files.AtomicFiles;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSae;
import dev.saekit.model.TopKSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * TopK SAEs in sparsify's format (EleutherAI/sparsify, {@code SparseCoder.save_to_disk}): a
 * directory with {@code cfg.json} ({@code activation}, {@code num_latents} (0: {@code d_in *
 * expansion_factor}), {@code k}, {@code transcode}, {@code skip_connection}, {@code d_in}, ...) and
 * {@code sae.safetensors} with {@code encoder.weight} [L, d_in], {@code encoder.bias} [L],
 * {@code W_dec} [L, d_in] (latent j's direction in row j, the encoder's orientation, not transposed)
 * and {@code b_dec} [d_in]. sparsify computes {@code relu((x - b_dec) encoder.weight^T + encoder.bias)},
 * keeps the k largest per row and decodes {@code z W_dec + b_dec}: saekit's TopK in the SAELens
 * layout.
 *
 * <p>A transcoder ({@code transcode}) does not subtract {@code b_dec} from its input, and with
 * {@code skip_connection} adds {@code x W_skip^T} ({@code W_skip} [d_in, d_in]) to its output:
 * saekit's TopK {@link CoderSpec.Transcoder} of output width {@code d_in} (sparsify has no other
 * output width). A skip connection on an SAE and {@code groupmax} are refused.
 */
public final class SparsifyFormat {
    public static final String CONFIG = "cfg.json";
    public static final String WEIGHTS = "sae.safetensors";
    /** sparsify's default {@code expansion_factor}, written when the width is not a multiple of the input's. */
    static final int DEFAULT_EXPANSION = 32;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SparsifyFormat() {}

    /** The SAE in {@code dir}, computing in {@code dtype}. */
    public static SparseAutoencoder read(Path dir, DType dtype) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode cfg = Json.read(cfgFile);
        boolean transcode = Json.bool(cfg, "transcode", false, cfgFile);
        boolean skip = Json.bool(cfg, "skip_connection", false, cfgFile);
        if (skip && !transcode) {
            throw new MalformedFileException(
                    cfgFile.toString(),
                    "skip_connection on an SAE (transcode false); saekit reads skip connections of transcoders only");
        }
        String activation = cfg.path("activation").asText("topk");
        if (!activation.equals("topk")) {
            throw new MalformedFileException(
                    cfgFile.toString(), "activation '" + activation + "' is not supported; saekit imports topk");
        }
        int dIn = Json.positive(cfg, "d_in", cfgFile);
        int latents = cfg.path("num_latents").asInt(0);
        if (latents <= 0) {
            latents = Math.multiplyExact(dIn, Json.positive(cfg, "expansion_factor", cfgFile));
        }
        int k = Json.positive(cfg, "k", cfgFile);
        ModelSpec spec;
        try {
            SaeConfig sae = new SaeConfig(dIn, latents, EncoderKind.LINEAR, DictionaryConfig.defaults(), dtype, 0);
            spec = transcode
                    ? ModelSpec.coder(sae, new TopKSpec(k), new CoderSpec.Transcoder(dIn, skip))
                    : new ModelSpec(
                            sae,
                            new TopKSpec(k),
                            new ModelSpec.DictionarySpec.Plain(),
                            new ModelSpec.EncoderSpec.SaeLens(true));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(cfgFile.toString(), e.getMessage());
        }
        Path weightsFile = dir.resolve(WEIGHTS);
        SafetensorsFile f = Safetensors.header(weightsFile);
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("encoder.weight", new long[] {latents, dIn});
        expected.put("encoder.bias", new long[] {latents});
        expected.put("W_dec", new long[] {latents, dIn});
        expected.put("b_dec", new long[] {dIn});
        if (skip) {
            expected.put(ModelSpec.SKIP, new long[] {dIn, dIn});
        }
        SaeLensFormat.requireTensors(
                f,
                weightsFile,
                expected,
                transcode ? (skip ? "sparsify skip transcoder" : "sparsify transcoder") : "sparsify topk");
        SparseAutoencoder model = spec.build();
        load(model, "W_enc", f.read("encoder.weight", dtype).transpose(), weightsFile);
        load(model, "b_enc", f.read("encoder.bias", dtype), weightsFile);
        load(model, "W_dec", f.read("W_dec", dtype), weightsFile);
        load(model, "b_dec", f.read("b_dec", dtype), weightsFile);
        if (skip) {
            load(model, ModelSpec.SKIP, f.read(ModelSpec.SKIP, dtype), weightsFile);
        }
        return model;
    }

    private static void load(SparseAutoencoder model, String name, INDArray value, Path file) throws IOException {
        Checkpoints.requireFinite(value, name, file);
        model.parameter(name).orElseThrow().assign(value);
    }

    /** Writes the TopK {@code model} (autoencoder or transcoder) to {@code dir} (created), float32. */
    public static void write(SparseAutoencoder model, Path dir) throws IOException {
        write(model, dir, null, 1.0);
    }

    /**
     * Writes the TopK {@code model} (an autoencoder, or a transcoder whose output is as wide as its
     * input), trained on inputs minus {@code inputMean} (null: none) times {@code inputScale}, to
     * {@code dir} (created) for RAW inputs ({@link RawInputWeights}; a transcoder trained on centred
     * or scaled data is refused, {@link CoderWeights}), float32; {@code SparseCoder.load_from_disk} loads it.
     */
    public static void write(SparseAutoencoder model, Path dir, INDArray inputMean, double inputScale)
            throws IOException {
        boolean transcode = model.coder() instanceof CoderSpec.Transcoder;
        boolean skip = model.skip() != null;
        if (transcode && model.outputDim() != model.inputDim()) {
            throw new IllegalArgumentException("sparsify's transcoders predict an output as wide as their input ("
                    + model.inputDim() + "); this transcoder's output is " + model.outputDim()
                    + " wide (export it to saelens, whose transcoders take any output width)");
        }
        if (!transcode && !model.spec().isAutoencoder()) {
            throw new IllegalArgumentException(
                    "sparsify has no " + model.coder().kind() + "; export sparsify autoencoders and transcoders");
        }
        if (!(model instanceof TopKSae t)) {
            throw new IllegalArgumentException("sparsify's SAEs keep the k largest codes per row; a "
                    + model.spec().variant().name() + " model has no sparsify form (export topk models)");
        }
        RawInputWeights raw = transcode
                ? CoderWeights.of(model, inputMean, inputScale).asRaw()
                : RawInputWeights.of(model, inputMean, inputScale);
        Map<String, INDArray> w = new LinkedHashMap<>();
        w.put("encoder.weight", Tensors.copy(raw.wEnc().transpose(), DType.FLOAT32));
        w.put("encoder.bias", Tensors.copy(raw.bEnc(), DType.FLOAT32));
        w.put("W_dec", Tensors.copy(raw.wDec(), DType.FLOAT32));
        w.put("b_dec", Tensors.copy(raw.bDec(), DType.FLOAT32));
        if (skip) {
            w.put(ModelSpec.SKIP, Tensors.copy(model.skip().value(), DType.FLOAT32));
        }
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("activation", "topk");
        cfg.put(
                "expansion_factor",
                model.nbConcepts() % model.inputDim() == 0 ? model.nbConcepts() / model.inputDim() : DEFAULT_EXPANSION);
        cfg.put("normalize_decoder", true);
        cfg.put("num_latents", model.nbConcepts());
        cfg.put("k", t.k());
        cfg.put("multi_topk", false);
        cfg.put("skip_connection", skip);
        cfg.put("transcode", transcode);
        cfg.put("d_in", model.inputDim());
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(WEIGHTS), w, Map.of());
        AtomicFiles.write(dir.resolve(CONFIG), JSON.writeValueAsBytes(cfg));
    }
}
