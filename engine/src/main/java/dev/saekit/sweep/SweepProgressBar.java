package dev.saekit.sweep;

import dev.saekit.train.StepState;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress over a whole sweep: a bar over every optimiser step of the grid with its ETA and the
 * cell being trained, then one line per finished cell (cells done of the grid, its L0, FVU, dead
 * fraction, seconds, and the time left at the mean pace of the cells trained so far). Cells a
 * resumed sweep found finished count as done from the start and do not enter the pace. When the
 * output is not a terminal only the lines are printed, so logs stay readable.
 */
public final class SweepProgressBar implements SweepListener {
    private final PrintStream out;
    private final boolean interactive;
    private ProgressBar bar;
    private int total;
    private int done;
    private int trained;
    private long stepsPerCell;
    private long cellStartStep;
    private long startNanos;

    /** On standard error, animated when standard error is a terminal. */
    public SweepProgressBar() {
        this(System.err, System.console() != null);
    }

    /** On {@code out}; {@code interactive} animates a bar, otherwise only lines are printed. */
    public SweepProgressBar(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onSweepStart(SweepGrid grid, int finishedCells, long stepsPerCell) {
        this.total = grid.cells().size();
        this.done = finishedCells;
        this.stepsPerCell = stepsPerCell;
        this.startNanos = System.nanoTime();
        out.printf(
                Locale.ROOT,
                "sweep: %d cells (%s) x %d steps%s%n",
                total,
                String.join(", ", grid.variants().stream().map(v -> v.name()).toList()),
                stepsPerCell,
                finishedCells > 0 ? ", " + finishedCells + " already trained" : "");
        if (interactive && done < total) {
            bar = new ProgressBarBuilder()
                    .setTaskName("sweep")
                    .setInitialMax(total * stepsPerCell)
                    .startsFrom(done * stepsPerCell, Duration.ZERO)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .build();
        }
        out.flush();
    }

    @Override
    public void onCellStart(SweepCell cell, int position) {
        cellStartStep = (long) (position - 1) * stepsPerCell;
        if (bar != null) {
            bar.stepTo(cellStartStep);
            bar.setExtraMessage(String.format(Locale.ROOT, " cell %d/%d %s", position, total, cell.label()));
        }
    }

    @Override
    public void onStep(SweepCell cell, StepState state) {
        if (bar != null) {
            bar.stepTo(cellStartStep + state.step());
        }
    }

    @Override
    public void onCellEnd(CellResult r, SweepResult sweep) {
        done++;
        trained++;
        double perCell = (System.nanoTime() - startNanos) / 1e9 / trained;
        String line = String.format(
                Locale.ROOT,
                "cell %d/%d %-22s L0 %7.2f  FVU %.4f  dead %5.1f%%  %6.1f s  left %s",
                done,
                total,
                r.cell().label(),
                r.l0(),
                r.fvu(),
                100 * r.deadFraction(),
                r.trainSeconds(),
                duration(perCell * (total - done)));
        if (bar != null) {
            out.print("\r\033[2K"); // the line above the bar
            out.println(line);
            bar.stepTo((long) done * stepsPerCell);
            bar.refresh();
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onSweepEnd(SweepResult result) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.flush();
    }

    /** {@code 1h02m}, {@code 3m05s}, {@code 12s}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
