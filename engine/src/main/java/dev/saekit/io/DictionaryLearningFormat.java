package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.files.AtomicFiles;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.PrefixMatryoshkaSae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSae;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SAEs in dictionary_learning's format (saprmarks/dictionary_learning, what {@code trainSAE} saves):
 * a directory with {@code config.json} ({@code {"trainer": {"dict_class": ..., "activation_dim",
 * "dict_size", "k", ...}}}) and {@code ae.pt}, a {@code torch.save} state dict ({@link TorchArchive})
 * of {@code encoder.weight} [dict_size, activation_dim], {@code encoder.bias}, {@code decoder.weight}
 * [activation_dim, dict_size] (an {@code nn.Linear} weight: {@code x_hat = z decoder.weight^T + b_dec}),
 * {@code b_dec}, int32 {@code k} and float32 {@code threshold}, all 0-d but the weights.
 *
 * <p>Both classes encode {@code relu((x - b_dec) encoder.weight^T + encoder.bias)}.
 * {@code AutoEncoderTopK} keeps the k largest codes per row: saekit's TopK (its {@code threshold},
 * used only by {@code encode(use_threshold=True)}, is not kept; export writes -1, the library's
 * "not estimated"). {@code BatchTopKSAE} keeps codes strictly above {@code threshold} at inference
 * and the {@code k * rows} largest of the batch in training: saekit's BatchTopK with k per sample,
 * whose running threshold is the next float above it ({@link StrictThreshold}) and whose momentum is
 * the trainer's {@code threshold_beta}. {@code trainSAE} folds its activation norm factor into the
 * saved biases and threshold, so the files take raw inputs, as saekit's exports do.
 */
public final class DictionaryLearningFormat {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "ae.pt";
    /** The weights file of the crosscoder fork's crosscoders. */
    public static final String CROSSCODER_WEIGHTS = "model_final.pt";

    static final String TOPK = "AutoEncoderTopK";
    static final String BATCH_TOPK = "BatchTopKSAE";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DictionaryLearningFormat() {}

    /** The SAE in {@code dir}, computing in {@code dtype}. */
    public static SparseAutoencoder read(Path dir, DType dtype) throws IOException {
        Path cfgFile = dir.resolve(CONFIG);
        JsonNode trainer = Json.read(cfgFile).path("trainer");
        if (!trainer.isObject()) {
            throw new MalformedFileException(
                    cfgFile.toString(), "has no 'trainer' object; dictionary_learning writes {\"trainer\": {...}}");
        }
        String dictClass = Json.text(trainer, "dict_class", cfgFile);
        if (dictClass.equals(DictionaryLearningCrosscoders.CROSSCODER)
                || dictClass.equals(DictionaryLearningCrosscoders.BATCH_TOPK_CROSSCODER)) {
            return DictionaryLearningCrosscoders.read(dir, trainer, dictClass, dtype);
        }
        if (!dictClass.equals(TOPK) && !dictClass.equals(BATCH_TOPK)) {
            throw new MalformedFileException(
                    cfgFile.toString(),
                    "dict_class '" + dictClass + "' is not supported; saekit imports " + TOPK + ", " + BATCH_TOPK
                            + ", " + DictionaryLearningCrosscoders.CROSSCODER + " and "
                            + DictionaryLearningCrosscoders.BATCH_TOPK_CROSSCODER);
        }
        int dIn = Json.positive(trainer, "activation_dim", cfgFile);
        int dSae = Json.positive(trainer, "dict_size", cfgFile);
        int k = Json.positive(trainer, "k", cfgFile);
        VariantSpec variant = switch (dictClass) {
            case TOPK -> new TopKSpec(k);
            case BATCH_TOPK -> {
                double beta = trainer.path("threshold_beta").asDouble(BatchTopKSpec.DEFAULT_MOMENTUM);
                yield new BatchTopKSpec(
                        new BatchTopKSae.BatchK.PerSample(k),
                        beta >= 0 && beta < 1 ? beta : BatchTopKSpec.DEFAULT_MOMENTUM);
            }
            default -> throw new IllegalStateException(dictClass); // refused above
        };
        ModelSpec spec;
        try {
            spec = new ModelSpec(
                    new SaeConfig(dIn, dSae, EncoderKind.LINEAR, DictionaryConfig.defaults(), dtype, 0),
                    variant,
                    new ModelSpec.DictionarySpec.Plain(),
                    new ModelSpec.EncoderSpec.SaeLens(true));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(cfgFile.toString(), e.getMessage());
        }
        Path weightsFile = dir.resolve(WEIGHTS);
        TorchArchive a = TorchArchive.read(weightsFile);
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("encoder.weight", new long[] {dSae, dIn});
        expected.put("encoder.bias", new long[] {dSae});
        expected.put("decoder.weight", new long[] {dIn, dSae});
        expected.put("b_dec", new long[] {dIn});
        expected.put("k", new long[0]);
        expected.put("threshold", new long[0]);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!a.names().contains(e.getKey())) {
                throw new MalformedFileException(
                        weightsFile.toString(), "has no tensor '" + e.getKey() + "' that a " + dictClass + " needs");
            }
            if (!Arrays.equals(a.shape(e.getKey()), e.getValue())) {
                throw new MalformedFileException(
                        weightsFile.toString(),
                        "'" + e.getKey() + "' has shape " + Arrays.toString(a.shape(e.getKey())) + " but " + CONFIG
                                + " (activation_dim " + dIn + ", dict_size " + dSae + ") needs "
                                + Arrays.toString(e.getValue()));
            }
        }
        for (String name : a.names()) {
            if (!expected.containsKey(name)) {
                throw new MalformedFileException(
                        weightsFile.toString(), "has a tensor '" + name + "' that a " + dictClass + " does not use");
            }
        }
        if (!a.type("k").isInteger() || a.readLongs("k")[0] != k) {
            throw new MalformedFileException(
                    weightsFile.toString(),
                    "its k (" + a.read("k", DType.FLOAT64).getDouble(0) + ") is not the k " + k + " of " + CONFIG);
        }
        SparseAutoencoder model = spec.build();
        load(model, "W_enc", a.read("encoder.weight", dtype).transpose(), weightsFile);
        load(model, "b_enc", a.read("encoder.bias", dtype), weightsFile);
        load(model, "W_dec", a.read("decoder.weight", dtype).transpose(), weightsFile);
        load(model, "b_dec", a.read("b_dec", dtype), weightsFile);
        if (model instanceof BatchTopKSae) {
            double threshold = a.read("threshold", DType.FLOAT64).getDouble(0);
            if (!Double.isFinite(threshold)) {
                throw new MalformedFileException(weightsFile.toString(), "threshold is " + threshold);
            }
            load(
                    model,
                    BatchTopKSae.RUNNING_THRESHOLD,
                    Tensors.scalar(dtype, StrictThreshold.above(threshold, dtype)),
                    weightsFile);
        }
        return model;
    }

    private static void load(SparseAutoencoder model, String name, INDArray value, Path file) throws IOException {
        Checkpoints.requireFinite(value, name, file);
        model.parameter(name).orElseThrow().assign(value);
    }

    /** Writes {@code model} (TopK or BatchTopK) to {@code dir} (created), float32, for raw inputs. */
    public static void write(SparseAutoencoder model, Path dir) throws IOException {
        write(model, dir, null, 1.0);
    }

    /**
     * Writes {@code model}, trained on inputs minus {@code inputMean} (null: none) times
     * {@code inputScale}, to {@code dir} (created) as dictionary_learning's {@code AutoEncoderTopK}
     * or {@code BatchTopKSAE}, for RAW inputs ({@link RawInputWeights}); {@code from_pretrained}
     * loads it.
     */
    public static void write(SparseAutoencoder model, Path dir, INDArray inputMean, double inputScale)
            throws IOException {
        ObjectNode trainer = JSON.createObjectNode();
        if (model.coder() instanceof CoderSpec.Crosscoder) {
            Files.createDirectories(dir);
            DictionaryLearningCrosscoders.write(model, dir, inputMean, inputScale, trainer);
            writeConfig(dir, trainer);
            return;
        }
        if (!model.spec().isAutoencoder()) {
            throw new IllegalArgumentException("dictionary_learning has no "
                    + model.coder().kind() + "; export transcoders to sparsify or saelens");
        }
        String dictClass;
        String trainerClass;
        int k;
        double threshold;
        if (model instanceof BatchTopKSae b && !(model instanceof PrefixMatryoshkaSae)) {
            if (!(b.k() instanceof BatchTopKSae.BatchK.PerSample s)) {
                throw new IllegalArgumentException("dictionary_learning's BatchTopKSAE keeps k codes per sample; "
                        + "this model keeps " + b.k() + " (train with k per sample to export it)");
            }
            if (Double.isNaN(b.runningThreshold())) {
                throw new IllegalStateException(
                        "this BatchTopK model has no running threshold yet (train it first); BatchTopKSAE encodes with it");
            }
            dictClass = BATCH_TOPK;
            trainerClass = "BatchTopKTrainer";
            k = s.k();
            threshold = StrictThreshold.below(b.runningThreshold(), DType.FLOAT32);
            trainer.put("threshold_beta", b.momentum());
        } else if (model instanceof TopKSae t) {
            dictClass = TOPK;
            trainerClass = "TopKTrainer";
            k = t.k();
            threshold = -1;
        } else {
            throw new IllegalArgumentException("dictionary_learning has no "
                    + model.spec().variant().name() + " SAE that saekit writes; export topk or batchtopk models");
        }
        RawInputWeights raw = RawInputWeights.of(model, inputMean, inputScale);
        // the order of AutoEncoderTopK's and BatchTopKSAE's state_dict()
        Map<String, TorchArchive.Stored> state = new LinkedHashMap<>();
        state.put("b_dec", new TorchArchive.Stored(ElementType.FLOAT32, raw.bDec()));
        state.put("k", new TorchArchive.Stored(ElementType.INT32, Tensors.scalar(DType.FLOAT64, k)));
        state.put("threshold", new TorchArchive.Stored(ElementType.FLOAT32, Tensors.scalar(DType.FLOAT64, threshold)));
        state.put(
                "decoder.weight",
                new TorchArchive.Stored(ElementType.FLOAT32, raw.wDec().transpose()));
        state.put(
                "encoder.weight",
                new TorchArchive.Stored(ElementType.FLOAT32, raw.wEnc().transpose()));
        state.put("encoder.bias", new TorchArchive.Stored(ElementType.FLOAT32, raw.bEnc()));
        trainer.put("trainer_class", trainerClass);
        trainer.put("dict_class", dictClass);
        trainer.put("activation_dim", model.inputDim());
        trainer.put("dict_size", model.nbConcepts());
        trainer.put("k", k);
        trainer.put("device", "cpu");
        trainer.put("model_from", "saekit " + model.spec().variant().name());
        Files.createDirectories(dir);
        TorchArchive.write(dir.resolve(WEIGHTS), TorchArchive.Root.DICT, state);
        writeConfig(dir, trainer);
    }

    /** {@code config.json}: {@code {"trainer": ...}} with an indent of 4, as {@code trainSAE} writes it. */
    private static void writeConfig(Path dir, ObjectNode trainer) throws IOException {
        ObjectNode cfg = JSON.createObjectNode();
        cfg.set("trainer", trainer);
        AtomicFiles.write(
                dir.resolve(CONFIG),
                JSON.writer(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                                .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("    ", "\n")))
                        .writeValueAsBytes(cfg));
    }
}
