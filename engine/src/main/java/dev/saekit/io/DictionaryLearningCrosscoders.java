package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.ActivationNormalizer;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.PrefixMatryoshkaSae;
import dev.saekit.model.Sae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The crosscoders of dictionary_learning's crosscoder fork (science-of-finetuning): {@code CrossCoder}
 * (ReLU, trained with a decoder-weighted L1) and {@code BatchTopKCrossCoder}, saved by its
 * {@code trainSAE} as {@code config.json} and {@code model_final.pt}, the module's state dict:
 * {@code encoder.weight [L, d, F]} ({@code x_l W_l} per layer), {@code encoder.bias [F]},
 * {@code decoder.weight [L, F, d]}, {@code decoder.bias [L, d]}, int64 {@code code_normalization_id}
 * (1 crosscoder, 2 SAE, 4 none; mixed and decoupled are refused), the activation normaliser's
 * {@code activation_mean}, {@code activation_std} [L, d], {@code activation_global_scale} [L] and
 * {@code target_rms} (NaN mean and std: none), and a BatchTopK crosscoder's int32 {@code k} and
 * float32 {@code threshold}. {@code config.json} has no layer count: it comes from the weights.
 *
 * <p>The fork computes {@code f = relu(sum_l x_l W_l + b_enc)} and {@code x_hat_l = f D_l + b_l}: in
 * saekit's layout, rows {@code [x_1 | ... | x_L]}, {@code W_enc [L*d, F]} (the encoder's memory order),
 * {@code W_dec [F, L*d]} (the decoder's first two axes swapped) and {@code b_dec [L*d]}: a
 * {@link CoderSpec.Crosscoder}, vanilla or BatchTopK with k per sample whose running threshold, on
 * the codes weighted by their decoder norms, is the next float above the fork's
 * ({@code f * (f w > threshold)}, {@link StrictThreshold}). A normaliser stays the model's own
 * ({@link ActivationNormalizer}): folding its per-layer scales into the weights would change the
 * decoder norms, and so which codes a BatchTopK crosscoder keeps.
 */
final class DictionaryLearningCrosscoders {
    static final String CROSSCODER = "CrossCoder";
    static final String BATCH_TOPK_CROSSCODER = "BatchTopKCrossCoder";
    /** The module names of the fork's state dict ({@code _metadata}). */
    private static final List<String> MODULES = List.of("", "encoder", "decoder");

    private DictionaryLearningCrosscoders() {}

    static SparseAutoencoder read(Path dir, JsonNode trainer, String dictClass, DType dtype) throws IOException {
        Path cfgFile = dir.resolve(DictionaryLearningFormat.CONFIG);
        int d = Json.positive(trainer, "activation_dim", cfgFile);
        int f = Json.positive(trainer, "dict_size", cfgFile);
        Path weightsFile = dir.resolve(DictionaryLearningFormat.CROSSCODER_WEIGHTS);
        TorchArchive a = TorchArchive.read(weightsFile);
        String source = weightsFile.toString();
        if (!a.names().contains("encoder.weight") || a.shape("encoder.weight").length != 3) {
            throw new MalformedFileException(source, "has no 3-d 'encoder.weight' [layers, activation_dim, dict_size]");
        }
        long layersL = a.shape("encoder.weight")[0];
        if (layersL < 1 || layersL > Integer.MAX_VALUE / d) {
            throw new MalformedFileException(source, "'encoder.weight' has " + layersL + " layers");
        }
        int layers = (int) layersL;
        boolean batchTopK = dictClass.equals(BATCH_TOPK_CROSSCODER);
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put(ActivationNormalizer.TARGET_RMS, new long[0]);
        expected.put(ActivationNormalizer.MEAN, new long[] {layers, d});
        expected.put(ActivationNormalizer.STD, new long[] {layers, d});
        expected.put(ActivationNormalizer.GLOBAL_SCALE, new long[] {layers});
        expected.put("code_normalization_id", new long[0]);
        if (batchTopK) {
            expected.put("k", new long[0]);
            expected.put("threshold", new long[0]);
        }
        expected.put("encoder.weight", new long[] {layers, d, f});
        expected.put("encoder.bias", new long[] {f});
        expected.put("decoder.bias", new long[] {layers, d});
        expected.put("decoder.weight", new long[] {layers, f, d});
        requireTensors(a, source, expected, dictClass, d, f);
        CodeNormalization normalization = codeNormalization(a, source);
        boolean normalizer = hasNormalizer(a);
        VariantSpec variant;
        if (batchTopK) {
            int k = Json.positive(trainer, "k", cfgFile);
            if (!a.type("k").isInteger() || a.readLongs("k")[0] != k) {
                throw new MalformedFileException(source, "its k is not the k " + k + " of config.json");
            }
            double beta = trainer.path("threshold_beta").asDouble(BatchTopKSpec.DEFAULT_MOMENTUM);
            variant = new BatchTopKSpec(
                    new BatchTopKSae.BatchK.PerSample(k),
                    beta >= 0 && beta < 1 ? beta : BatchTopKSpec.DEFAULT_MOMENTUM);
        } else {
            variant = new VanillaSpec();
        }
        ModelSpec spec;
        try {
            spec = ModelSpec.coder(
                    new SaeConfig(
                            Math.multiplyExact(layers, d),
                            f,
                            EncoderKind.LINEAR,
                            DictionaryConfig.defaults(),
                            dtype,
                            0),
                    variant,
                    new CoderSpec.Crosscoder(layers, normalization, normalizer));
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(cfgFile.toString(), e.getMessage());
        }
        SparseAutoencoder model = spec.build();
        int width = layers * d;
        load(model, "W_enc", a.read("encoder.weight", dtype).reshape(width, f), source);
        load(model, "b_enc", a.read("encoder.bias", dtype), source);
        load(
                model,
                "W_dec",
                a.read("decoder.weight", dtype).permute(1, 0, 2).dup('c').reshape(f, width),
                source);
        load(model, "b_dec", a.read("decoder.bias", dtype).reshape(width), source);
        if (normalizer) {
            load(
                    model,
                    ActivationNormalizer.MEAN,
                    a.read(ActivationNormalizer.MEAN, dtype).reshape(width),
                    source);
            load(
                    model,
                    ActivationNormalizer.STD,
                    a.read(ActivationNormalizer.STD, dtype).reshape(width),
                    source);
            load(model, ActivationNormalizer.GLOBAL_SCALE, a.read(ActivationNormalizer.GLOBAL_SCALE, dtype), source);
            load(model, ActivationNormalizer.TARGET_RMS, a.read(ActivationNormalizer.TARGET_RMS, dtype), source);
        }
        if (model instanceof BatchTopKSae b) {
            double threshold = a.read("threshold", DType.FLOAT64).getDouble(0);
            if (!Double.isFinite(threshold)) {
                throw new MalformedFileException(source, "threshold is " + threshold);
            }
            b.setRunningThreshold(StrictThreshold.above(threshold, dtype));
        }
        return model;
    }

    private static void requireTensors(
            TorchArchive a, String source, Map<String, long[]> expected, String dictClass, int d, int f)
            throws MalformedFileException {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!a.names().contains(e.getKey())) {
                throw new MalformedFileException(
                        source, "has no tensor '" + e.getKey() + "' that a " + dictClass + " needs");
            }
            if (!Arrays.equals(a.shape(e.getKey()), e.getValue())) {
                throw new MalformedFileException(
                        source,
                        "'" + e.getKey() + "' has shape " + Arrays.toString(a.shape(e.getKey())) + " but config.json"
                                + " (activation_dim " + d + ", dict_size " + f
                                + ") and the layers of encoder.weight need "
                                + Arrays.toString(e.getValue()));
            }
        }
        for (String name : a.names()) {
            if (!expected.containsKey(name)) {
                throw new MalformedFileException(
                        source, "has a tensor '" + name + "' that a " + dictClass + " does not use");
            }
        }
    }

    /** The fork's {@code CodeNormalization} value: 1 crosscoder, 2 SAE, 4 none. */
    private static CodeNormalization codeNormalization(TorchArchive a, String source) throws MalformedFileException {
        if (!a.type("code_normalization_id").isInteger()) {
            throw new MalformedFileException(source, "code_normalization_id is not an integer");
        }
        long id = a.readLongs("code_normalization_id")[0];
        return switch ((int) Math.max(Math.min(id, 99), -1)) {
            case 1 -> CodeNormalization.CROSSCODER;
            case 2 -> CodeNormalization.SAE;
            case 4 -> CodeNormalization.NONE;
            default ->
                throw new MalformedFileException(
                        source,
                        "code_normalization_id " + id + (id == 3 ? " (MIXED)" : id == 5 ? " (DECOUPLED)" : "")
                                + " is not supported; saekit reads 1 (CROSSCODER), 2 (SAE) and 4 (NONE)");
        };
    }

    private static long id(CodeNormalization n) {
        return switch (n) {
            case CROSSCODER -> 1;
            case SAE -> 2;
            case NONE -> 4;
        };
    }

    /** Whether the file's normaliser is on: as the fork decides, no NaN in the mean nor in the std. */
    private static boolean hasNormalizer(TorchArchive a) {
        INDArray mean = a.read(ActivationNormalizer.MEAN, DType.FLOAT64);
        INDArray std = a.read(ActivationNormalizer.STD, DType.FLOAT64);
        return !hasNaN(mean) && !hasNaN(std);
    }

    private static boolean hasNaN(INDArray a) {
        for (double v : a.data().asDouble()) {
            if (Double.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    private static void load(SparseAutoencoder model, String name, INDArray value, String source) throws IOException {
        Checkpoints.requireFinite(value, name, Path.of(source));
        model.parameter(name).orElseThrow().assign(value);
    }

    /** Writes the crosscoder {@code model} (vanilla or BatchTopK) to {@code dir} as the fork's {@code trainSAE} does. */
    static void write(SparseAutoencoder model, Path dir, INDArray inputMean, double inputScale, ObjectNode trainer)
            throws IOException {
        CoderSpec.Crosscoder c = (CoderSpec.Crosscoder) model.coder();
        String dictClass;
        String trainerClass;
        int k = 0;
        double threshold = 0;
        if (model instanceof BatchTopKSae b && !(model instanceof PrefixMatryoshkaSae)) {
            if (!(b.k() instanceof BatchTopKSae.BatchK.PerSample s)) {
                throw new IllegalArgumentException("the fork's BatchTopKCrossCoder keeps k codes per sample; this "
                        + "crosscoder keeps " + b.k() + " (train with k per sample to export it)");
            }
            if (Double.isNaN(b.runningThreshold())) {
                throw new IllegalStateException("this BatchTopK crosscoder has no running threshold yet (train it "
                        + "first); BatchTopKCrossCoder encodes with it");
            }
            dictClass = BATCH_TOPK_CROSSCODER;
            trainerClass = "BatchTopKCrossCoderTrainer";
            k = s.k();
            threshold = StrictThreshold.below(b.runningThreshold(), DType.FLOAT32);
            trainer.put("threshold_beta", b.momentum());
        } else if (model instanceof Sae) {
            dictClass = CROSSCODER;
            trainerClass = "CrossCoderTrainer";
        } else {
            throw new IllegalArgumentException("the crosscoder fork has vanilla (CrossCoder) and BatchTopK "
                    + "crosscoders; a " + model.spec().variant().name() + " crosscoder has no form there");
        }
        CoderWeights w = CoderWeights.of(model, inputMean, inputScale);
        int layers = c.layers();
        int d = model.inputDim() / layers;
        int f = model.nbConcepts();
        Map<String, TorchArchive.Stored> state = new LinkedHashMap<>();
        ActivationNormalizer n = model.activationNormalizer();
        if (n != null) {
            List<Parameter> p = n.parameters();
            state.put(ActivationNormalizer.TARGET_RMS, f32(p.get(3).value()));
            state.put(ActivationNormalizer.MEAN, f32(p.get(0).value().reshape(layers, d)));
            state.put(ActivationNormalizer.STD, f32(p.get(1).value().reshape(layers, d)));
            state.put(ActivationNormalizer.GLOBAL_SCALE, f32(p.get(2).value()));
        } else { // the fork's "no normaliser": NaN mean and std
            state.put(ActivationNormalizer.TARGET_RMS, f32(Tensors.scalar(DType.FLOAT64, 1.0)));
            state.put(ActivationNormalizer.MEAN, f32(nans(layers, d)));
            state.put(ActivationNormalizer.STD, f32(nans(layers, d)));
            state.put(ActivationNormalizer.GLOBAL_SCALE, f32(Tensors.ones(DType.FLOAT64, layers)));
        }
        state.put(
                "code_normalization_id",
                new TorchArchive.Stored(ElementType.INT64, Tensors.scalar(DType.FLOAT64, id(c.normalization()))));
        if (dictClass.equals(BATCH_TOPK_CROSSCODER)) {
            state.put("k", new TorchArchive.Stored(ElementType.INT32, Tensors.scalar(DType.FLOAT64, k)));
            state.put("threshold", f32(Tensors.scalar(DType.FLOAT64, threshold)));
        }
        state.put("encoder.weight", f32(w.wEnc().dup('c').reshape(layers, d, f)));
        state.put("encoder.bias", f32(w.bEnc()));
        state.put("decoder.bias", f32(w.bDec().dup('c').reshape(layers, d)));
        state.put(
                "decoder.weight",
                f32(w.wDec().dup('c').reshape(f, layers, d).permute(1, 0, 2).dup('c')));
        trainer.put("trainer_class", trainerClass);
        trainer.put("dict_class", dictClass);
        trainer.put("activation_dim", d);
        trainer.put("dict_size", f);
        trainer.put("num_layers", layers);
        if (k > 0) {
            trainer.put("k", k);
        }
        trainer.put("code_normalization", c.normalization().name());
        trainer.put("device", "cpu");
        trainer.put("model_from", "saekit " + model.spec().variant().name() + " crosscoder");
        TorchArchive.writeStateDict(dir.resolve(DictionaryLearningFormat.CROSSCODER_WEIGHTS), state, MODULES);
    }

    private static INDArray nans(int rows, int cols) {
        double[] v = new double[rows * cols];
        Arrays.fill(v, Double.NaN);
        return Tensors.fromFlat(DType.FLOAT64, v, rows, cols);
    }

    private static TorchArchive.Stored f32(INDArray values) {
        return new TorchArchive.Stored(ElementType.FLOAT32, values);
    }
}
