package dev.saekit.train.listeners;

import dev.saekit.train.StepState;
import dev.saekit.train.TrainingContext;
import dev.saekit.train.TrainingDivergedException;
import dev.saekit.train.TrainingListener;
import java.util.Locale;

/**
 * Stops training before an update that would take the weights out of the finite numbers: a NaN
 * or infinite loss or gradient norm refuses the step, so the model keeps the weights of the last
 * good step, and the error says what to try.
 */
public final class DivergenceCheck implements TrainingListener {
    private TrainingContext context;

    @Override
    public void onTrainingStart(TrainingContext context) {
        this.context = context;
    }

    @Override
    public void beforeUpdate(StepState s) {
        String what = !Double.isFinite(s.loss())
                ? "the loss is " + s.loss()
                : !Double.isFinite(s.gradNorm()) ? "the gradient norm is " + s.gradNorm() : null;
        if (what == null) {
            return;
        }
        double lr = context == null
                ? s.learningRate()
                : context.config().optimizer().learningRate();
        throw new TrainingDivergedException(
                s.step(),
                String.format(
                        Locale.ROOT,
                        "training diverged at step %d (epoch %d): %s. The model keeps the weights of step %d. "
                                + "Try a lower learning rate (now %.3g), gradient clipping (clip norm now %s), "
                                + "or standardising the inputs (large or badly scaled activations).",
                        s.step(),
                        s.epoch() + 1,
                        what,
                        s.step() - 1,
                        lr,
                        context == null
                                ? "?"
                                : context.config().clipNorm() == 0
                                        ? "off"
                                        : String.valueOf(context.config().clipNorm())));
    }
}
