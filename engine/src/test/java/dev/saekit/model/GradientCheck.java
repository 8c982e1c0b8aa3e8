package dev.saekit.model;

import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Compares every analytic gradient of a model with central finite differences
 * {@code (L(p + h) - L(p - h)) / 2h}, entry by entry, in float64.
 *
 * <p>Every evaluation starts from the same state: all parameters and buffers are restored from a
 * snapshot first, so in-place projections of the dictionary and BatchNorm's running statistics
 * cannot drift between evaluations. A step goes through the same calls as the trainer: forward,
 * fetch the dictionary for the loss, evaluate the loss, backward.
 *
 * <p>The error of one entry is {@code |analytic - numeric| / max(|analytic|, |numeric|, 1e-2)}: a
 * relative error, with a floor so that gradients near zero are compared absolutely. The rounding
 * error of a central difference is about {@code 1e-16 * |terms of L| / h}, some {@code 1e-9} here,
 * so an exactly zero gradient differs from its difference quotient by about {@code 1e-7} of the
 * floor; a wrong backward pass is off by a sizeable fraction of the gradient itself.
 */
final class GradientCheck {
    static final double H = 1e-6;
    static final double TOLERANCE = 1e-6;
    /** No ReLU input may be closer to zero than this, or a difference of +-h could cross the kink. */
    static final double KINK_MARGIN = 1e-4;
    private static final double FLOOR = 1e-2;

    /** The worst entry over all checked parameters, and the parameters whose gradient is zero everywhere. */
    record Report(double worstError, String worstEntry, int entriesChecked, Set<String> zeroGradients) {
    }

    private GradientCheck() {
    }

    /** The loss of a full training step at the model's current state (no gradient kept). */
    static double loss(SparseAutoencoder model, Loss loss, INDArray x) {
        SaeOutput out = model.forward(x);
        INDArray d = model.getDictionary();
        LossGradients grads = new LossGradients(model.dtype());
        grads.reset(x.rows(), model.inputDim(), model.nbConcepts());
        return loss.evaluate(x, out, d, grads);
    }

    /** Checks every entry of every trainable parameter. */
    static Report check(SparseAutoencoder model, Loss loss, INDArray x) {
        return check(model, loss, x, p -> true);
    }

    /** Checks every entry of the trainable parameters that {@code which} selects. */
    static Report check(SparseAutoencoder model, Loss loss, INDArray x, Predicate<Parameter> which) {
        List<Parameter> params = model.parameters();
        List<INDArray> snapshot = new ArrayList<>();
        for (Parameter p : params) {
            snapshot.add(p.value().dup('c'));
        }
        restore(params, snapshot);
        model.zeroGrad();
        SaeOutput out = model.forward(x);
        INDArray d = model.getDictionary();
        LossGradients grads = new LossGradients(model.dtype());
        grads.reset(x.rows(), model.inputDim(), model.nbConcepts());
        loss.evaluate(x, out, d, grads);
        model.backward(grads.toOutputGradients());

        double worst = 0;
        String worstEntry = "none";
        int checked = 0;
        Set<String> zero = new LinkedHashSet<>();
        for (Parameter p : params) {
            if (!p.isTrainable() || !which.test(p)) {
                continue;
            }
            INDArray analytic = p.grad().dup('c');
            double largest = 0;
            for (long i = 0; i < p.value().length(); i++) {
                double numeric = numericGradient(model, loss, x, params, snapshot, p, i);
                double a = analytic.getDouble(i);
                double err = Math.abs(a - numeric) / Math.max(FLOOR, Math.max(Math.abs(a), Math.abs(numeric)));
                largest = Math.max(largest, Math.abs(numeric));
                checked++;
                if (err >= worst) {
                    worst = err;
                    worstEntry = String.format(Locale.ROOT, "%s[%d]: analytic %.12g, numeric %.12g", p.name(), i, a, numeric);
                }
            }
            if (largest < 1e-9) {
                zero.add(p.name());
            }
        }
        restore(params, snapshot);
        return new Report(worst, worstEntry, checked, zero);
    }

    private static double numericGradient(SparseAutoencoder model, Loss loss, INDArray x, List<Parameter> params,
                                          List<INDArray> snapshot, Parameter p, long i) {
        double v = snapshot.get(params.indexOf(p)).getDouble(i);
        restore(params, snapshot);
        p.value().putScalar(i, v + H);
        p.markChanged();
        double plus = loss(model, loss, x);
        restore(params, snapshot);
        p.value().putScalar(i, v - H);
        p.markChanged();
        double minus = loss(model, loss, x);
        return (plus - minus) / (2 * H);
    }

    private static void restore(List<Parameter> params, List<INDArray> snapshot) {
        for (int i = 0; i < params.size(); i++) {
            params.get(i).assign(snapshot.get(i));
        }
    }

    /**
     * The smallest {@code |input|} of any ReLU in a forward pass of {@code x}: the pre-codes and,
     * for the 3-block MLPs, the hidden blocks' Norm outputs, recomputed here from the parameters
     * (Linear, then LayerNorm over features or BatchNorm over the batch, eps 1e-5).
     */
    static double closestReluInputToZero(SparseAutoencoder model, EncoderKind kind, INDArray x) {
        double closest = Transforms.abs(model.forward(x).preCodes(), true).minNumber().doubleValue();
        INDArray h = x;
        for (int b = 0; b < kind.blocks() - 1 && !model.isTied(); b++) {
            String prefix = "encoder.mlp_blocks." + b;
            INDArray y = h.mmul(value(model, prefix + ".0.weight").transpose()).addiRowVector(value(model, prefix + ".0.bias"));
            boolean batchStats = kind.norm() == EncoderKind.NormKind.BATCH;
            INDArray mean;
            INDArray var;
            if (!batchStats) {
                mean = y.mean(1).reshape(y.rows(), 1);
                var = y.var(false, 1).reshape(y.rows(), 1);
                y = y.subColumnVector(mean).diviColumnVector(Transforms.sqrt(var.add(1e-5)));
            } else {
                mean = model.isTraining() ? y.mean(0) : value(model, prefix + ".1.running_mean");
                var = model.isTraining() ? y.var(false, 0) : value(model, prefix + ".1.running_var");
                y = y.subRowVector(mean).diviRowVector(Transforms.sqrt(var.add(1e-5)));
            }
            y.muliRowVector(value(model, prefix + ".1.weight")).addiRowVector(value(model, prefix + ".1.bias"));
            closest = Math.min(closest, Transforms.abs(y, true).minNumber().doubleValue());
            h = Transforms.relu(y, true);
        }
        return closest;
    }

    private static INDArray value(SparseAutoencoder model, String name) {
        return model.parameter(name).orElseThrow(() -> new AssertionError("no parameter " + name)).value();
    }
}
