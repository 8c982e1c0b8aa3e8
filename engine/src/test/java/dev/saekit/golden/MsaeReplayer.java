package dev.saekit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.metrics.Metrics;
import dev.saekit.model.MatryoshkaSae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.TestModels;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.LossGradients;
import dev.saekit.train.MatryoshkaLoss;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Replays the MSAE paper's Matryoshka cases: forward, the nesting-weighted MSE loss and its backward
 * ({@code grads}), the same with NMSE ({@code grads_nmse}), then the paper's after-backward hooks
 * (unit-norm decoder rows with compensation, projected decoder gradient: {@code extras.after_hooks}).
 */
final class MsaeReplayer implements GoldenReplayer {

    @Override
    public Optional<String> unsupported(GoldenCase c) {
        if (!c.root.path("source").asText().startsWith("MSAE")) {
            return Optional.of("not an MSAE case");
        }
        if (!c.modelClass().equals("MatryoshkaAutoencoder")) {
            return Optional.of("variant not implemented yet: " + c.modelClass() + " (MSAE)");
        }
        return Optional.empty();
    }

    @Override
    public void replay(GoldenCase c, GoldenCheck check) {
        JsonNode h = c.hyper();
        List<Integer> nesting = new ArrayList<>();
        h.path("nesting_list").forEach(n -> nesting.add(n.asInt()));
        List<Double> importance = new ArrayList<>();
        h.path("relative_importance").forEach(n -> importance.add(n.asDouble()));
        SaeConfig config = SaeConfig.of(
                        h.path("n_inputs").asInt(), h.path("n_latents").asInt())
                .withDType(c.dtype());
        MatryoshkaSae model =
                TestModels.msae(config, nesting, h.path("latent_soft_cap").asDouble(30.0));
        OvercompleteReplayer.load(model, c.group("params_init"), check);
        INDArray x = c.group("inputs").get("x");
        int[] ks = model.nesting();

        model.zeroGrad();
        SaeOutput out = model.forward(x);
        Map<String, INDArray> outputs = c.group("outputs");
        SaeOutput all = model.unsparsified(x);
        for (Map.Entry<String, INDArray> e : outputs.entrySet()) {
            INDArray mine = null;
            String name = e.getKey();
            if (name.equals("pre_codes")) {
                mine = out.preCodes();
            } else if (name.equals("all_latents")) {
                mine = all.codes();
            } else if (name.equals("all_recons")) {
                mine = all.reconstruction();
            } else {
                for (int i = 0; i < ks.length; i++) {
                    if (name.equals("codes_k" + ks[i])) {
                        mine = i == ks.length - 1 ? out.codes() : null;
                    }
                    if (name.equals("x_hat_k" + ks[i])) {
                        mine = out.nested().get(i);
                    }
                }
                if (mine == null && name.startsWith("codes_k")) {
                    int k = Integer.parseInt(name.substring("codes_k".length()));
                    mine = levelCodes(model, x, k);
                }
            }
            if (mine == null) {
                check.fail("output '" + name + "' is not checked by this replayer");
            } else {
                check.tensor("outputs/" + name, mine, e.getValue());
            }
        }
        for (Map.Entry<String, INDArray> e : c.group("params_after").entrySet()) {
            model.parameter(e.getKey())
                    .ifPresentOrElse(
                            p -> check.tensor("params_after/" + e.getKey(), p.value(), e.getValue()),
                            () -> check.fail("params_after: no parameter '" + e.getKey() + "'"));
        }

        double mse = lossAndBackward(model, x, out, MatryoshkaLoss.weighted(importance, MatryoshkaLoss.Kind.MSE));
        compareGrads(model, c.group("grads"), "grads", check);
        Map<String, INDArray> mseGrads = new HashMap<>();
        for (Parameter p : model.parameters()) {
            if (p.isTrainable()) {
                mseGrads.put(p.name(), p.grad().dup());
            }
        }
        model.zeroGrad();
        double nmse = lossAndBackward(model, x, out, MatryoshkaLoss.weighted(importance, MatryoshkaLoss.Kind.NMSE));
        if (c.has("grads_nmse")) {
            compareGrads(model, c.group("grads_nmse"), "grads_nmse", check);
        }
        c.root.path("scalars").fields().forEachRemaining(e -> {
            String name = e.getKey();
            double expected = e.getValue().asDouble();
            if (name.equals("loss_mse")) {
                check.scalar("scalars/loss_mse", mse, expected);
            } else if (name.equals("loss_nmse")) {
                check.scalar("scalars/loss_nmse", nmse, expected);
            } else if (name.startsWith("mse_k") || name.startsWith("nmse_k")) {
                int k = Integer.parseInt(name.substring(name.indexOf("_k") + 2));
                int level = java.util.Arrays.binarySearch(ks, k);
                if (level < 0) {
                    check.fail("scalar " + name + ": no level with k=" + k);
                    return;
                }
                INDArray xHat = out.nested().get(level);
                double v = name.startsWith("mse")
                        ? Metrics.mse(x, xHat)
                        : MatryoshkaLoss.weighted(List.of(1.0), MatryoshkaLoss.Kind.NMSE)
                                .evaluate(
                                        x,
                                        new SaeOutput(out.preCodes(), out.codes(), xHat, List.of(xHat)),
                                        null,
                                        scratchGrads(model, x));
                check.scalar("scalars/" + name, v, expected);
            } else {
                check.fail("scalar '" + name + "' is not checked by this replayer");
            }
        });

        JsonNode hooks = c.root.path("extras").path("after_hooks");
        if (!hooks.isMissingNode()) {
            for (Parameter p : model.parameters()) {
                if (p.isTrainable()) {
                    p.grad().assign(mseGrads.get(p.name()));
                }
            }
            model.afterBackward();
            c.tensors(hooks.path("params"))
                    .forEach((name, expected) -> model.parameter(name)
                            .ifPresentOrElse(
                                    p -> check.tensor("after_hooks/params/" + name, p.value(), expected),
                                    () -> check.fail("after_hooks: no parameter '" + name + "'")));
            c.tensors(hooks.path("grads"))
                    .forEach((name, expected) -> model.parameter(name)
                            .ifPresentOrElse(
                                    p -> check.tensor("after_hooks/grads/" + name, p.grad(), expected),
                                    () -> check.fail("after_hooks: no parameter '" + name + "'")));
        }
    }

    /** Codes of a level other than the largest (the forward keeps only the largest's codes in its output). */
    private static INDArray levelCodes(MatryoshkaSae model, INDArray x, int k) {
        INDArray pre = model.unsparsified(x).preCodes();
        INDArray z = dev.saekit.kernel.TopK.perRow(pre, k, pre.ulike());
        org.nd4j.linalg.ops.transforms.Transforms.relu(z, false);
        if (model.softCap() > 0) {
            org.nd4j.linalg.ops.transforms.Transforms.tanh(z.divi(model.softCap()), false)
                    .muli(model.softCap());
        }
        return z;
    }

    private static LossGradients scratchGrads(MatryoshkaSae model, INDArray x) {
        LossGradients g = new LossGradients(model.dtype());
        g.reset(x.rows(), model.inputDim(), model.nbConcepts());
        return g;
    }

    private static double lossAndBackward(MatryoshkaSae model, INDArray x, SaeOutput out, MatryoshkaLoss loss) {
        LossGradients g = scratchGrads(model, x);
        double value = loss.evaluate(x, out, null, g);
        model.backward(g.toOutputGradients());
        return value;
    }

    private static void compareGrads(
            MatryoshkaSae model, Map<String, INDArray> expected, String group, GoldenCheck check) {
        expected.forEach((name, e) -> model.parameter(name)
                .ifPresentOrElse(
                        p -> check.tensor(group + "/" + name, p.grad(), e),
                        () -> check.fail(group + ": no parameter '" + name + "'")));
    }
}
