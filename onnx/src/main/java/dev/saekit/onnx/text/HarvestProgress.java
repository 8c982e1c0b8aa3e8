package dev.saekit.onnx.text;

import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The progress bar of a harvest: tokens written, of the budget when there is one, and tokens per second. */
final class HarvestProgress {
    private HarvestProgress() {}

    /** A bar on {@code out} starting at {@code done} tokens, or null without {@code out}. */
    static ProgressBar bar(PrintStream out, long budget, long done) {
        if (out == null) {
            return null;
        }
        return new ProgressBarBuilder()
                .setTaskName("harvest")
                .setInitialMax(budget > 0 ? budget : -1)
                .setUnit(" tokens", 1)
                .showSpeed()
                .setSpeedUnit(ChronoUnit.SECONDS)
                .startsFrom(done, Duration.ZERO)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .build();
    }
}
