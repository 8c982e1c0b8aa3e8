package dev.saekit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.model.OutputGradients;
import dev.saekit.model.SaeOutput;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Replays loss cases ({@code "kind": "loss"} with a {@code loss} object) that pin one loss term on
 * its own: the term reads the case's {@code inputs}, its value is compared with {@code scalars.loss}
 * and its gradient with respect to each input with {@code grads}. Today: AuxK as SAELens computes it
 * ({@code loss.name} {@code auxk}).
 *
 * <p>AuxK hands its decode of the dead latents to the model as a sparse decode; here its gradients
 * are spread the way the model spreads them ({@code SparseAutoencoder.backwardSparseDecodes}): the
 * codes' transposed product into {@code W_dec}, column sums into {@code b_dec}, and the dots with
 * the atoms into the pre-codes at the kept entries.
 */
final class LossCaseReplayer implements GoldenReplayer {

    @Override
    public Optional<String> unsupported(GoldenCase c) {
        if (!"loss".equals(c.root.path("kind").asText()) || !c.root.path("loss").isObject()) {
            return Optional.of("not a loss-term case");
        }
        String name = c.root.path("loss").path("name").asText();
        return name.equals("auxk") ? Optional.empty() : Optional.of("loss term not implemented yet: " + name);
    }

    @Override
    public void replay(GoldenCase c, GoldenCheck check) {
        JsonNode settings = c.root.path("loss");
        Map<String, INDArray> in = c.group("inputs");
        INDArray x = in.get("sae_in");
        INDArray xHat = in.get("sae_out");
        INDArray preCodes = in.get("hidden_pre");
        INDArray wDec = in.get("W_dec");
        INDArray bDec = in.get("b_dec");
        long[] deadFlags = in.get("dead_mask").castTo(DataType.LONG).toLongVector();
        int concepts = (int) preCodes.columns();

        DeadCodeTracker tracker = new DeadCodeTracker();
        tracker.restoreState(Map.of(
                "last_dead", Nd4j.createFromArray(deadFlags), "steps_in_window", Nd4j.createFromArray(new long[] {0})));
        int kAux = settings.path("k_aux").asInt(0);
        AuxKLoss loss = new AuxKLoss(tracker, kAux, settings.path("coefficient").asDouble(), AuxKLoss.Flavor.SAELENS);
        int nDead = 0;
        for (long f : deadFlags) {
            nDead += (int) f;
        }
        if (settings.has("scale")) {
            check.scalar(
                    "scale",
                    AuxKLoss.scale(nDead, kAux == 0 ? (int) x.columns() / 2 : kAux),
                    settings.path("scale").asDouble());
        }

        LossGradients grads = new LossGradients(c.dtype());
        grads.reset(x.rows(), (int) x.columns(), concepts);
        SaeOutput out = new SaeOutput(preCodes, preCodes.ulike(), xHat, List.of(), null, bDec);
        double value = loss.evaluate(x, out, wDec, grads);
        check.scalar("loss", value, c.scalar("loss"));

        OutputGradients g = grads.toOutputGradients();
        INDArray gPre = preCodes.ulike().assign(0);
        INDArray gW = wDec.ulike().assign(0);
        INDArray gB = bDec.ulike().assign(0);
        for (OutputGradients.SparseDecode decode : g.sparseDecodes()) {
            SparseCodes codes = decode.codes();
            codes.addTransposedProduct(codes.values(), decode.gradient(), gW);
            gB.addi(decode.gradient().sum(0));
            if (decode.intoPreCodes()) {
                codes.scatterAdd(codes.dotsAt(decode.gradient(), decode.usedD(), null), gPre);
            }
        }
        Map<String, INDArray> mine = Map.of("hidden_pre", gPre, "W_dec", gW, "b_dec", gB);
        c.group("grads").forEach((name, expected) -> {
            INDArray actual = mine.get(name);
            if (actual == null) {
                check.fail("grads: AuxK has no gradient for input '" + name + "'");
            } else {
                check.tensor("grad/" + name, actual, expected);
            }
        });
        if (g.reconstruction().amaxNumber().doubleValue() != 0) {
            check.fail("AuxK takes the residual as a constant, but it sent a gradient into the reconstruction");
        }
    }
}
