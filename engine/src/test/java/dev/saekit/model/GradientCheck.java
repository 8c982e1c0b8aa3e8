package dev.saekit.model;

import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Compares analytic gradients with central finite differences, in float64, with a tolerance
 * measured from each parameter's own finite-difference noise.
 *
 * <p>Every evaluation starts from the same state: all parameters and buffers are restored from a
 * snapshot first, so in-place projections of the dictionary and BatchNorm's running statistics
 * cannot drift between evaluations. The analytic gradient comes from the same calls as a training
 * step: forward, fetch the dictionary for the loss, evaluate the loss, backward.
 *
 * <p><b>Noise.</b> A central difference {@code n(h) = (L(p + h) - L(p - h)) / 2h} carries a rounding
 * error of about {@code u |terms of L| / h} ({@code u = 2^-53}) whose size and sign depend on the
 * order in which the BLAS kernels summed {@code L} (AVX2 and AVX-512 kernels differ), plus a
 * truncation error {@code h^2 L''' / 6}. Neither is assumed: each entry is differenced at
 * {@code h}, {@code 0.8h} and {@code 1.25h}; the rounding errors at different steps are unrelated
 * and the truncation errors differ by a sizeable fraction of themselves, so the spread
 * {@code max - min} of the three quotients measures both. Below the spread lies the resolution of
 * the difference itself, one unit in the last place of {@code L} over the step. A parameter's noise
 * is the largest of these over its entries, and an entry passes when
 * <pre>|analytic - numeric| <= RELATIVE_TOLERANCE max(|analytic|, |numeric|) + NOISE_MULTIPLE noise</pre>
 *
 * <p>The noise cannot swallow a wrong gradient: a check whose noise exceeds {@link #NOISE_CEILING}
 * times the largest gradient it saw fails as too noisy to judge, so the tolerance never exceeds
 * {@code RELATIVE_TOLERANCE + NOISE_MULTIPLE NOISE_CEILING} (about 1e-5) of the gradient scale, and a
 * backward pass wrong by more than that fails. Typical noise is near 1e-10 of the scale.
 */
final class GradientCheck {
    static final double H = 1e-6;
    /** The steps, in units of {@link #H}; the first gives the reported numeric gradient. */
    private static final double[] STEPS = {1.0, 0.8, 1.25};
    /** Truncation at h = 1e-6 is some 1e-12 relative for these smooth losses: a wide margin. */
    static final double RELATIVE_TOLERANCE = 1e-6;

    static final double NOISE_MULTIPLE = 8;
    /** The largest noise, relative to the largest gradient, at which a finite difference can still judge. */
    static final double NOISE_CEILING = 1e-6;
    /** A parameter carries a gradient when its largest analytic entry is this many tolerance floors above its noise. */
    static final double SIGNAL = 1e3;
    /** No ReLU input may be closer to zero than this, or a difference of +-1.25h could cross the kink. */
    static final double KINK_MARGIN = 1e-4;

    /** What finite differences differentiate: a value of the model at its current parameters. */
    @FunctionalInterface
    interface Objective {
        double value(SparseAutoencoder model);
    }

    private GradientCheck() {}

    /** The loss of a full training step at the model's current state (no gradient kept). */
    static double loss(SparseAutoencoder model, Loss loss, INDArray x) {
        SaeOutput out = model.forward(model.inputOf(x));
        INDArray d = model.getDictionary();
        LossGradients grads = new LossGradients(model.dtype());
        grads.reset(out);
        return loss.evaluate(model.targetOf(x), out, d, grads);
    }

    /** Checks every entry of every trainable parameter. */
    static GradientReport check(SparseAutoencoder model, Loss loss, INDArray x) {
        return check(model, loss, x, p -> true);
    }

    /** Checks every entry of the trainable parameters that {@code which} selects. */
    static GradientReport check(SparseAutoencoder model, Loss loss, INDArray x, Predicate<Parameter> which) {
        return check(model, loss, x, which, m -> loss(m, loss, x));
    }

    /**
     * Checks the analytic gradient of {@code loss} (one training step's backward pass) against finite
     * differences of {@code numeric}, for a contract under which the gradient is that of another
     * function than the loss itself (for example with the codes held constant).
     */
    static GradientReport check(
            SparseAutoencoder model, Loss loss, INDArray x, Predicate<Parameter> which, Objective numeric) {
        State state = new State(model);
        List<INDArray> analytic = analyticGradients(model, loss, x);
        List<GradientReport.ParameterReport> reports = new ArrayList<>();
        for (int k = 0; k < state.params.size(); k++) {
            Parameter p = state.params.get(k);
            if (!p.isTrainable() || !which.test(p)) {
                continue;
            }
            double[] a = analytic.get(k).dup('c').data().asDouble();
            List<double[]> quotients = new ArrayList<>();
            for (int i = 0; i < a.length; i++) {
                long entry = i;
                quotients.add(state.differences(
                        numeric, p, (value, t) -> value.putScalar(entry, value.getDouble(entry) + t)));
            }
            reports.add(
                    GradientReport.ParameterReport.of(p.name(), a, quotients, index -> p.name() + "[" + index + "]"));
        }
        state.restore();
        return new GradientReport(reports, NOISE_CEILING);
    }

    /**
     * Checks the derivative of {@code loss} along each of {@code directions} (arrays of {@code p}'s
     * shape): analytic {@code sum(grad * direction)} against finite differences of
     * {@code p + t direction}. For a parameter whose documented gradient is exact only along some
     * directions (those that an in-place projection leaves alone).
     */
    static GradientReport checkDirections(
            SparseAutoencoder model, Loss loss, INDArray x, Parameter p, List<INDArray> directions) {
        State state = new State(model);
        INDArray grad = analyticGradients(model, loss, x).get(state.params.indexOf(p));
        double[] a = new double[directions.size()];
        List<double[]> quotients = new ArrayList<>();
        for (int i = 0; i < directions.size(); i++) {
            INDArray d = directions.get(i);
            a[i] = grad.mul(d).sumNumber().doubleValue();
            quotients.add(state.differences(m -> loss(m, loss, x), p, (value, t) -> value.addi(d.mul(t))));
        }
        state.restore();
        return new GradientReport(
                List.of(GradientReport.ParameterReport.of(
                        p.name(), a, quotients, index -> p.name() + " along direction " + index)),
                NOISE_CEILING);
    }

    /** Every parameter's gradient (a copy; zero for buffers) after one training step's backward pass. */
    private static List<INDArray> analyticGradients(SparseAutoencoder model, Loss loss, INDArray x) {
        model.zeroGrad();
        SaeOutput out = model.forward(model.inputOf(x));
        INDArray d = model.getDictionary();
        LossGradients grads = new LossGradients(model.dtype());
        grads.reset(out);
        loss.evaluate(model.targetOf(x), out, d, grads);
        model.backward(grads.toOutputGradients());
        List<INDArray> copies = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            copies.add(p.isTrainable() ? p.grad().dup('c') : p.value().ulike().assign(0));
        }
        return copies;
    }

    /** Moves a parameter's value by {@code t} in some direction, in place. */
    @FunctionalInterface
    private interface Perturbation {
        void apply(INDArray value, double t);
    }

    /** The model's parameters and a snapshot of their values, restored before every evaluation. */
    private static final class State {
        private final SparseAutoencoder model;
        private final List<Parameter> params;
        private final List<INDArray> snapshot = new ArrayList<>();

        State(SparseAutoencoder model) {
            this.model = model;
            this.params = model.parameters();
            for (Parameter p : params) {
                snapshot.add(p.value().dup('c'));
            }
            restore();
        }

        void restore() {
            for (int i = 0; i < params.size(); i++) {
                params.get(i).assign(snapshot.get(i));
            }
        }

        /**
         * The central differences of {@code objective} along {@code move} of {@code p} at each step,
         * then, last, the resolution of a difference at the first step: an ulp of the objective over the step.
         */
        double[] differences(Objective objective, Parameter p, Perturbation move) {
            double[] q = new double[STEPS.length + 1];
            double atSnapshot = 0;
            for (int s = 0; s < STEPS.length; s++) {
                double h = H * STEPS[s];
                double plus = valueAt(objective, p, move, h);
                double minus = valueAt(objective, p, move, -h);
                q[s] = (plus - minus) / (2 * h);
                atSnapshot = Math.max(atSnapshot, Math.max(Math.abs(plus), Math.abs(minus)));
            }
            q[STEPS.length] = Math.ulp(atSnapshot) / H;
            return q;
        }

        private double valueAt(Objective objective, Parameter p, Perturbation move, double t) {
            restore();
            move.apply(p.value(), t);
            p.markChanged();
            return objective.value(model);
        }
    }

    /**
     * The smallest {@code |input|} of any ReLU in a forward pass of {@code x}: the pre-codes and,
     * for the 3-block MLPs, the hidden blocks' Norm outputs, recomputed by {@link MlpTrace}.
     */
    static double closestReluInputToZero(SparseAutoencoder model, EncoderKind kind, INDArray x) {
        double closest =
                Transforms.abs(model.forward(x).preCodes(), true).minNumber().doubleValue();
        if (kind.blocks() > 1 && !model.isTied()) {
            closest = Math.min(closest, new MlpTrace(model, kind, x).closestHiddenReluInputToZero());
        }
        return closest;
    }
}
