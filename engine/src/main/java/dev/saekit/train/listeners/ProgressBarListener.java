package dev.saekit.train.listeners;

import dev.saekit.train.EpochSummary;
import dev.saekit.train.StepState;
import dev.saekit.train.TrainingContext;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingResult;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on the terminal: step, ETA, the current epoch, loss, R&sup2; and L0, then one summary line
 * per epoch. When the output is not a terminal (a log file, CI) it prints only the epoch lines,
 * so logs stay readable.
 */
public final class ProgressBarListener implements TrainingListener {
    private final PrintStream out;
    private final boolean interactive;
    private ProgressBar bar;
    private TrainingContext context;

    /** On standard error, animated when standard error is a terminal. */
    public ProgressBarListener() {
        this(System.err, System.console() != null);
    }

    /** On {@code out}; {@code interactive} animates a bar, otherwise only epoch lines are printed. */
    public ProgressBarListener(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onTrainingStart(TrainingContext context) {
        this.context = context;
        if (interactive) {
            bar = new ProgressBarBuilder()
                    .setTaskName("training")
                    .setInitialMax(context.totalSteps())
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .build();
        }
    }

    /**
     * The bar's message after step {@code s}: the epoch it belongs to (the bar's task name is fixed
     * when it is built, so the epoch lives here), then the step's loss, R² and L0.
     */
    static String message(StepState s, int epochs) {
        return String.format(
                Locale.ROOT,
                " epoch %d/%d  loss %.4g  R² %.3f  L0 %.1f",
                s.epoch() + 1,
                epochs,
                s.loss(),
                s.r2(),
                s.l0());
    }

    @Override
    public void onStep(StepState s) {
        if (bar != null) {
            bar.stepTo(s.step());
            bar.setExtraMessage(message(s, context.config().epochs()));
        }
    }

    @Override
    public void onEpochEnd(EpochSummary e) {
        String line = String.format(
                Locale.ROOT,
                "epoch %d/%d  loss %.5g  R² %.4f  L0 %.2f  dead %.1f%%  %.2fs",
                e.epoch() + 1,
                context.config().epochs(),
                e.loss(),
                e.r2(),
                e.l0(),
                100 * e.deadFraction(),
                e.seconds());
        if (bar != null) {
            if (e.epoch() + 1 < context.config().epochs()) {
                // keep the bar on its own line: print the summary above it
                out.print("\r\033[2K");
                out.println(line);
                bar.refresh();
            } else {
                bar.close();
                out.println(line);
                bar = null;
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.flush(); // a divergence's message is in the result, for the caller to report once
    }
}
