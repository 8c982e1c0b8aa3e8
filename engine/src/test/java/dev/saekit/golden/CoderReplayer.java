package dev.saekit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.CoderLosses;
import dev.saekit.train.DictionaryLearningAuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Replays the transcoder and crosscoder cases: sparsify's transcoder and skip transcoder
 * ({@code SparseCoder(transcode=True)}), and the dictionary_learning fork's {@code CrossCoder} (ReLU
 * + decoder-weighted L1) and {@code BatchTopKCrossCoder} (with its AuxK and running threshold).
 *
 * <p>The peers' tensors map onto saekit's layout ({@code W_enc [in, F]}, {@code W_dec [F, out]}): a
 * transcoder's {@code encoder.weight [F, in]} is {@code W_enc} transposed; a crosscoder's
 * {@code encoder.weight [L, d, F]} is {@code W_enc [L*d, F]} as it lies in memory, its
 * {@code decoder.weight [L, F, d]} is {@code W_dec [F, L*d]} with the first two axes swapped, and its
 * inputs {@code [B, L, d]} are rows {@code [B, L*d]}. Gradients go back the same way for comparison.
 *
 * <p>Two values of the BatchTopK crosscoder are computed by dictionary_learning in float32 whatever
 * the model's dtype: its AuxK term ({@code .float()} before the sums) and the batch's minimum
 * activation that enters the running threshold. saekit computes both in the model's dtype, so in a
 * float64 case those values, and the gradients AuxK contributes, are compared within float32's
 * tolerance on their share: the float64 tolerance on the whole plus {@link GoldenCheck#F32_TOLERANCE}
 * times the AuxK term's (or the minimum's) own magnitude, measured on a separate AuxK-only pass.
 */
final class CoderReplayer implements GoldenReplayer {

    @Override
    public Optional<String> unsupported(GoldenCase c) {
        String cls = c.modelClass();
        if (cls.startsWith("SparseCoder(") && cls.contains("transcode=True")) {
            return Optional.empty();
        }
        if (cls.equals("CrossCoder") || cls.equals("BatchTopKCrossCoder")) {
            return Optional.empty();
        }
        return Optional.of("not a transcoder or crosscoder case");
    }

    @Override
    public void replay(GoldenCase c, GoldenCheck check) {
        if (c.modelClass().startsWith("SparseCoder(")) {
            transcoder(c, check);
        } else {
            crosscoder(c, check);
        }
    }

    // ------------------------------------------------------------------ sparsify transcoders

    private static void transcoder(GoldenCase c, GoldenCheck check) {
        JsonNode h = c.hyper();
        if (!"topk".equals(h.path("activation").asText("topk"))
                || h.path("multi_topk").asBoolean(false)) {
            check.fail("only sparsify's TopK activation without multi-TopK is replayed, got " + h);
            return;
        }
        boolean skip = h.path("skip_connection").asBoolean(false);
        int in = h.path("d_in").asInt();
        int out = h.path("d_out").asInt(in);
        int latents = h.path("num_latents").asInt();
        DType dtype = c.dtype();
        ModelSpec spec = ModelSpec.coder(
                config(in, latents, dtype), new TopKSpec(h.path("k").asInt()), new CoderSpec.Transcoder(out, skip));
        SparseAutoencoder model = spec.build();
        Map<String, INDArray> p = c.group("params_init");
        Map<String, INDArray> mine = new HashMap<>();
        mine.put("W_enc", p.get("encoder.weight").transpose());
        mine.put("b_enc", p.get("encoder.bias"));
        mine.put("W_dec", p.get("W_dec"));
        mine.put("b_dec", p.get("b_dec"));
        if (skip) {
            mine.put(ModelSpec.SKIP, p.get("W_skip"));
        }
        load(model, mine, check);

        Map<String, INDArray> in0 = c.group("inputs");
        INDArray x = in0.get("x");
        INDArray y = in0.get("y");
        model.train();
        SaeOutput o = model.forward(x);
        Map<String, INDArray> expected = c.group("outputs");
        check.tensor("pre_acts", Transforms.relu(o.preCodes(), true), expected.get("pre_acts"));
        check.tensor("codes_dense", o.codes(), expected.get("codes_dense"));
        check.tensor("prediction", o.reconstruction(), expected.get("prediction"));

        model.zeroGrad();
        LossGradients grads = new LossGradients(dtype);
        grads.reset(o);
        double loss = new CoderLosses.Fvu().evaluate(y, o, model.getDictionary(), grads);
        check.scalar("loss", loss, c.scalar("loss"));
        check.scalar("fvu", loss, c.scalar("fvu"));
        model.backward(grads.toOutputGradients());
        Map<String, INDArray> g = c.group("grads");
        check.tensor("grad/encoder.weight", grad(model, "W_enc").transpose(), g.get("encoder.weight"));
        check.tensor("grad/encoder.bias", grad(model, "b_enc"), g.get("encoder.bias"));
        check.tensor("grad/W_dec", grad(model, "W_dec"), g.get("W_dec"));
        check.tensor("grad/b_dec", grad(model, "b_dec"), g.get("b_dec"));
        if (skip) {
            check.tensor("grad/W_skip", grad(model, ModelSpec.SKIP), g.get("W_skip"));
        }
    }

    // ------------------------------------------------------------------ dictionary_learning crosscoders

    private static void crosscoder(GoldenCase c, GoldenCheck check) {
        JsonNode h = c.hyper();
        int layers = h.path("num_layers").asInt();
        int d = h.path("activation_dim").asInt();
        int latents = h.path("dict_size").asInt();
        CodeNormalization norm =
                CodeNormalization.parse(h.path("code_normalization").asText("CROSSCODER"));
        boolean batchTopK = c.modelClass().equals("BatchTopKCrossCoder");
        DType dtype = c.dtype();
        VariantSpec variant = batchTopK
                ? new BatchTopKSpec(
                        new BatchTopKSae.BatchK.PerSample(h.path("k").asInt()),
                        h.path("threshold_beta").asDouble())
                : new VanillaSpec();
        ModelSpec spec =
                ModelSpec.coder(config(layers * d, latents, dtype), variant, new CoderSpec.Crosscoder(layers, norm));
        SparseAutoencoder model = spec.build();
        Map<String, INDArray> p = c.group("params_init");
        Map<String, INDArray> mine = new HashMap<>();
        mine.put("W_enc", p.get("encoder.weight").reshape((long) layers * d, latents));
        mine.put("b_enc", p.get("encoder.bias"));
        mine.put("W_dec", p.get("decoder.weight").permute(1, 0, 2).dup('c').reshape(latents, (long) layers * d));
        mine.put("b_dec", p.get("decoder.bias").reshape((long) layers * d));
        load(model, mine, check);

        INDArray x3 = c.group("inputs").get("x");
        long rows = x3.size(0);
        INDArray x = x3.reshape(rows, (long) layers * d);
        Map<String, INDArray> expected = c.group("outputs");
        Map<String, INDArray> state = c.tensors(c.root.path("state"));

        Loss loss;
        DictionaryLearningAuxKLoss auxK = null;
        if (batchTopK) {
            ((BatchTopKSae) model)
                    .setRunningThreshold(state.get("threshold_before").getDouble(0));
            auxK = new DictionaryLearningAuxKLoss(
                    1.0,
                    h.path("top_k_aux").asInt(),
                    h.path("dead_feature_threshold").asLong(),
                    layers,
                    norm);
            auxK.setTokensSinceFired(state.get("num_tokens_since_fired_before").toLongVector());
            loss = new CoderLosses.LayerL2(layers)
                    .plus(auxK.times(h.path("auxk_alpha").asDouble()));
        } else {
            loss = new CoderLosses.LayerL2(layers)
                    .plus(new CoderLosses.WeightedL1(h.path("l1_penalty").asDouble(), layers, norm));
        }

        model.train();
        SaeOutput o = model.forward(x);
        INDArray dict = model.getDictionary();
        INDArray w = norm.weights(dict, layers).w();
        check.tensor("code_normalization", w.reshape(1, latents), expected.get("code_normalization"));
        INDArray post = Transforms.relu(o.preCodes(), true);
        if (batchTopK) {
            check.tensor("post_relu_f", post, expected.get("post_relu_f"));
            check.tensor("post_relu_f_scaled", post.mulRowVector(w), expected.get("post_relu_f_scaled"));
            check.tensor("f_batchtopk", o.codes(), expected.get("f_batchtopk"));
            check.tensor(
                    "x_hat_batchtopk", o.reconstruction().reshape(rows, layers, d), expected.get("x_hat_batchtopk"));
            double before = state.get("threshold_before").getDouble(0);
            double after = state.get("threshold_after").getDouble(0);
            double minimum = ((BatchTopKSae) model).lastThreshold();
            // dictionary_learning rounds the batch's minimum to float32 before its (1 - beta) share enters
            double share = (1 - h.path("threshold_beta").asDouble()) * Math.abs(minimum) / Math.abs(after);
            check.scalarWithin(
                    "threshold_after",
                    ((BatchTopKSae) model).runningThreshold(),
                    after,
                    check.tolerance + (dtype == DType.FLOAT64 ? GoldenCheck.F32_TOLERANCE * share : 0));
            if (!(before >= 0)) {
                check.fail("the case's threshold_before is " + before + ": the replay expects a running threshold");
            }
            check.scalar("min_activation", ((BatchTopKSae) model).lastThreshold(), c.scalar("min_activation"));
        } else {
            check.tensor("f", o.codes(), expected.get("f"));
            check.tensor("f_scaled", o.codes().mulRowVector(w), expected.get("f_scaled"));
            check.tensor("x_hat", o.reconstruction().reshape(rows, layers, d), expected.get("x_hat"));
        }

        // the share of AuxK in the loss and the gradients, from a pass with AuxK alone (float64 cases only)
        double auxValue = 0;
        Map<String, INDArray> auxGrads = Map.of();
        if (batchTopK) {
            DictionaryLearningAuxKLoss alone = new DictionaryLearningAuxKLoss(
                    1.0,
                    h.path("top_k_aux").asInt(),
                    h.path("dead_feature_threshold").asLong(),
                    layers,
                    norm);
            alone.setTokensSinceFired(state.get("num_tokens_since_fired_before").toLongVector());
            model.zeroGrad();
            LossGradients auxOnly = new LossGradients(dtype);
            auxOnly.reset(o);
            auxValue = alone.times(h.path("auxk_alpha").asDouble()).evaluate(x, o, dict, auxOnly);
            model.backward(auxOnly.toOutputGradients());
            auxGrads = dtype != DType.FLOAT64
                    ? Map.of()
                    : Map.of(
                            "encoder.weight", grad(model, "W_enc"),
                            "encoder.bias", grad(model, "b_enc"),
                            "decoder.weight", grad(model, "W_dec"),
                            "decoder.bias", grad(model, "b_dec"));
        }

        model.zeroGrad();
        LossGradients grads = new LossGradients(dtype);
        grads.reset(o);
        double value = loss.evaluate(x, o, dict, grads);
        check.scalarWithin(
                "loss",
                value,
                c.scalar("loss"),
                check.tolerance
                        + (dtype == DType.FLOAT64
                                ? GoldenCheck.F32_TOLERANCE * Math.abs(auxValue) / Math.abs(c.scalar("loss"))
                                : 0));
        LossGradients scratch = new LossGradients(dtype);
        scratch.reset(o);
        check.scalar("l2_loss", new CoderLosses.LayerL2(layers).evaluate(x, o, dict, scratch), c.scalar("l2_loss"));
        if (auxK != null) {
            check.exact("n_dead", auxK.lastDeadCount(), (long) c.scalar("n_dead"));
            // the reference evaluates the term in float32 in either dtype
            check.scalarWithin(
                    "auxk_loss",
                    auxValue / h.path("auxk_alpha").asDouble(),
                    c.scalar("auxk_loss"),
                    GoldenCheck.F32_TOLERANCE);
            long[] after = state.get("num_tokens_since_fired_after").toLongVector();
            long[] mineAfter = auxK.tokensSinceFired();
            for (int j = 0; j < after.length; j++) {
                check.exact("num_tokens_since_fired_after[" + j + "]", mineAfter[j], after[j]);
            }
        }
        model.backward(grads.toOutputGradients());
        Map<String, INDArray> g = c.group("grads");
        Map<String, INDArray> aux = auxGrads;
        java.util.function.BiFunction<String, INDArray, Double> within = (name, expectedGrad) -> {
            INDArray a = aux.get(name);
            if (a == null) {
                return check.tolerance;
            }
            double scale = Math.max(expectedGrad.amaxNumber().doubleValue(), 1e-3);
            return check.tolerance + GoldenCheck.F32_TOLERANCE * a.amaxNumber().doubleValue() / scale;
        };
        check.tensorWithin(
                "grad/encoder.weight",
                grad(model, "W_enc").reshape(layers, d, latents),
                g.get("encoder.weight"),
                within.apply("encoder.weight", g.get("encoder.weight")));
        check.tensorWithin(
                "grad/encoder.bias",
                grad(model, "b_enc"),
                g.get("encoder.bias"),
                within.apply("encoder.bias", g.get("encoder.bias")));
        check.tensorWithin(
                "grad/decoder.weight",
                grad(model, "W_dec")
                        .reshape(latents, layers, d)
                        .permute(1, 0, 2)
                        .dup('c'),
                g.get("decoder.weight"),
                within.apply("decoder.weight", g.get("decoder.weight")));
        check.tensorWithin(
                "grad/decoder.bias",
                grad(model, "b_dec").reshape(layers, d),
                g.get("decoder.bias"),
                within.apply("decoder.bias", g.get("decoder.bias")));

        if (batchTopK) {
            model.eval();
            SaeOutput inference = model.forward(x);
            check.tensor("f_inference", inference.codes(), expected.get("f_inference"));
            check.tensor(
                    "x_hat_inference",
                    inference.reconstruction().reshape(rows, layers, d),
                    expected.get("x_hat_inference"));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static SaeConfig config(int in, int latents, DType dtype) {
        return SaeConfig.of(in, latents).withDType(dtype);
    }

    /** Assigns each named parameter its value; a missing or extra name, or another shape, fails the case. */
    private static void load(SparseAutoencoder model, Map<String, INDArray> values, GoldenCheck check) {
        for (Parameter p : model.parameters()) {
            if (!p.isTrainable()) {
                continue;
            }
            INDArray v = values.get(p.name());
            if (v == null) {
                check.fail("the case has no value for parameter " + p.name());
                continue;
            }
            if (!java.util.Arrays.equals(v.shape(), p.value().shape())) {
                check.fail(p.name() + ": case shape " + java.util.Arrays.toString(v.shape()) + ", model shape "
                        + java.util.Arrays.toString(p.value().shape()));
                continue;
            }
            p.value().assign(v.castTo(p.value().dataType()));
            p.markChanged();
        }
    }

    private static INDArray grad(SparseAutoencoder model, String name) {
        for (Parameter p : model.parameters()) {
            if (p.name().equals(name)) {
                return p.grad().castTo(DataType.DOUBLE);
            }
        }
        throw new IllegalStateException("the model has no parameter " + name);
    }
}
