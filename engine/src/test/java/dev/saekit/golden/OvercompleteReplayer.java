package dev.saekit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.JumpKernel;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.MpSae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TestModels;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.LossGradients;
import dev.saekit.train.Losses;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Replays overcomplete cases: build the model the case names, load {@code params_init} by
 * state-dict name, run the warm-up forwards and mode switches of the procedure, one forward,
 * the MSE loss and one backward pass; then compare outputs, parameters, gradients and scalars.
 */
final class OvercompleteReplayer implements GoldenReplayer {

    /** Model classes of the reference that the engine implements, by their class name there. */
    private static final Map<String, Function<GoldenCase, SparseAutoencoder>> MODELS = Map.of(
            "SAE", OvercompleteReplayer::vanilla,
            "TopKSAE",
                    c -> TestModels.topK(baseConfig(c), c.hyper().path("top_k").asInt()),
            "BatchTopKSAE",
                    c -> TestModels.batchTopK(
                            baseConfig(c),
                            new BatchTopKSae.BatchK.PerBatch(
                                    c.hyper().path("top_k").asLong()),
                            c.hyper().path("threshold_momentum").asDouble(0.9)),
            "JumpSAE",
                    c -> TestModels.jump(
                            baseConfig(c),
                            JumpKernel.parse(c.hyper().path("kernel").asText("silverman")),
                            (float) c.hyper().path("bandwidth").asDouble(1e-3)),
            "MpSAE",
                    c -> TestModels.mp(
                            baseConfig(c),
                            c.hyper().path("k").asInt(1),
                            c.hyper().path("dropout").isNumber()
                                    ? c.hyper().path("dropout").asDouble()
                                    : null),
            "SAE+RelaxedArchetypalDictionary", c -> archetypal(c, new VanillaSpec()),
            "RATopKSAE", c -> archetypal(c, new TopKSpec(c.hyper().path("top_k").asInt())));

    /** A model over the archetypal dictionary of a case: its candidate points are the case's {@code dictionary.C}. */
    private static SparseAutoencoder archetypal(GoldenCase c, VariantSpec variant) {
        INDArray points = c.group("params_init").get(RelaxedArchetypalDictionary.POINTS);
        ModelSpec.DictionarySpec dictionary = new ModelSpec.DictionarySpec.Archetypal(
                (int) points.rows(),
                c.hyper().path("delta").asDouble(1.0),
                c.hyper().path("use_multiplier").asBoolean(true));
        return new ModelSpec(baseConfig(c), variant, dictionary, new ModelSpec.EncoderSpec.Standard()).build(points);
    }

    @Override
    public Optional<String> unsupported(GoldenCase c) {
        if (c.root.path("source").asText().startsWith("MSAE")) {
            return Optional.of("an MSAE case");
        }
        if (!MODELS.containsKey(c.modelClass())) {
            return Optional.of("variant not implemented yet: " + c.modelClass());
        }
        if (c.has("steps")) {
            return Optional.of("a training-step case");
        }
        return Optional.empty();
    }

    /** The model a case names, or null when the engine has no such variant. */
    static SparseAutoencoder model(GoldenCase c) {
        Function<GoldenCase, SparseAutoencoder> f = MODELS.get(c.modelClass());
        return f == null ? null : f.apply(c);
    }

    static SaeConfig baseConfig(GoldenCase c) {
        JsonNode h = c.hyper();
        JsonNode encoderModule = h.get("encoder_module");
        EncoderKind encoder = encoderModule == null || encoderModule.isNull()
                ? EncoderKind.LINEAR
                : EncoderKind.parse(encoderModule.asText());
        DictionaryConfig dictionary = new DictionaryConfig(
                Normalization.parse(h.path("dictionary_normalization").asText("l2")),
                h.path("use_multiplier").asBoolean(false));
        return new SaeConfig(
                h.path("input_shape").asInt(),
                h.path("nb_concepts").asInt(),
                encoder,
                dictionary,
                c.dtype(),
                c.root.path("seed").asLong(0));
    }

    private static SparseAutoencoder vanilla(GoldenCase c) {
        return TestModels.vanilla(baseConfig(c));
    }

    static void load(SparseAutoencoder model, Map<String, INDArray> params, GoldenCheck check) {
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            Optional<Parameter> p = model.parameter(e.getKey());
            if (p.isEmpty()) {
                check.fail("the engine's model has no parameter '" + e.getKey() + "'; it has " + model.parameters());
                continue;
            }
            p.get().assign(e.getValue());
        }
    }

    @Override
    public void replay(GoldenCase c, GoldenCheck check) {
        SparseAutoencoder model = MODELS.get(c.modelClass()).apply(c);
        load(model, c.group("params_init"), check);
        Map<String, INDArray> inputs = c.group("inputs");
        INDArray x = inputs.get("x");
        if (c.mode().equals("eval")) {
            model.train();
            INDArray warmups = inputs.get("warmup_x");
            if (warmups != null) {
                for (long i = 0; i < warmups.size(0); i++) {
                    model.forward(warmups.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                            .dup('c'));
                }
            }
            model.eval();
        } else {
            model.train();
        }
        model.zeroGrad();
        SaeOutput out = model.forward(x);
        LossGradients grads = new LossGradients(model.dtype());
        grads.reset(out);
        double loss = Losses.mse().evaluate(x, out, null, grads);
        model.backward(grads.toOutputGradients());

        for (Map.Entry<String, INDArray> e : c.group("outputs").entrySet()) {
            INDArray mine = switch (e.getKey()) {
                case "pre_codes" -> out.preCodes();
                case "codes" -> out.codes();
                case "x_hat" -> out.reconstruction();
                case "residual" -> model instanceof MpSae ? out.preCodes() : null;
                default -> null;
            };
            if (mine == null) {
                check.fail("output '" + e.getKey() + "' is not checked by this replayer");
            } else {
                check.tensor("outputs/" + e.getKey(), mine, e.getValue());
            }
        }
        for (Map.Entry<String, INDArray> e : c.group("params_after").entrySet()) {
            model.parameter(e.getKey())
                    .ifPresentOrElse(
                            p -> check.tensor("params_after/" + e.getKey(), p.value(), e.getValue()),
                            () -> check.fail("params_after: no parameter '" + e.getKey() + "'"));
        }
        for (Map.Entry<String, INDArray> e : c.group("grads").entrySet()) {
            model.parameter(e.getKey())
                    .ifPresentOrElse(
                            p -> {
                                if (!p.isTrainable()) {
                                    check.fail("grads: '" + e.getKey()
                                            + "' is a buffer in the engine but trainable in the reference");
                                } else {
                                    check.tensor("grads/" + e.getKey(), p.grad(), e.getValue());
                                }
                            },
                            () -> check.fail("grads: no parameter '" + e.getKey() + "'"));
        }
        for (String name : c.stringList("grads_none")) {
            model.parameter(name).filter(Parameter::isTrainable).ifPresent(p -> {
                if (p.grad().amaxNumber().doubleValue() != 0) {
                    check.fail("grads_none: '" + name + "' received a gradient");
                }
            });
        }
        c.root.path("scalars").fields().forEachRemaining(e -> {
            switch (e.getKey()) {
                case "loss_mse" ->
                    check.scalar("scalars/loss_mse", loss, e.getValue().asDouble());
                case "nonzero_codes" ->
                    check.exact(
                            "scalars/nonzero_codes",
                            out.codes()
                                    .neq(0)
                                    .castTo(org.nd4j.linalg.api.buffer.DataType.LONG)
                                    .sumNumber()
                                    .longValue(),
                            e.getValue().asLong());
                case "running_threshold" -> {
                    if (model instanceof BatchTopKSae b) {
                        check.scalar(
                                "scalars/running_threshold",
                                b.runningThreshold(),
                                e.getValue().asDouble());
                    } else {
                        check.fail("running_threshold given for a "
                                + model.spec().variant().name() + " model");
                    }
                }
                default -> check.fail("scalar '" + e.getKey() + "' is not checked by this replayer");
            }
        });
    }
}
