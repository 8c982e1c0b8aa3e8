package dev.saekit.train.listeners;

import dev.saekit.files.AtomicFiles;
import dev.saekit.train.EpochSummary;
import dev.saekit.train.StepState;
import dev.saekit.train.TrainingListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Every step's and every epoch's metrics, in memory, with CSV files to keep them:
 * {@link #write(Path)} writes {@code steps.csv} and {@code epochs.csv} into a directory and
 * {@link #read(Path)} reads them back into an equal history.
 */
public final class MetricHistory implements TrainingListener {
    static final String STEPS_HEADER = "step,epoch,loss,r2,l0,grad_norm,lr";
    static final String EPOCHS_HEADER = "epoch,loss,r2,l0,dead_fraction,seconds";

    private final List<StepRecord> steps = new ArrayList<>();
    private final List<EpochSummary> epochs = new ArrayList<>();

    /** One step's metrics. */
    public record StepRecord(
            long step, int epoch, double loss, double r2, double l0, double gradNorm, double learningRate) {}

    /**
     * The metrics every step records, for {@link #series(StepMetric)}. Each prints as its column of
     * {@code steps.csv} ({@code loss}, {@code r2}, {@code l0}, {@code grad_norm}, {@code lr}), and
     * {@link #parse(String)} reads that name back where a metric arrives as text (a notebook cell, a
     * command-line option, a JSON field).
     */
    public enum StepMetric {
        LOSS("loss", StepRecord::loss),
        R2("r2", StepRecord::r2),
        L0("l0", StepRecord::l0),
        GRAD_NORM("grad_norm", StepRecord::gradNorm),
        LEARNING_RATE("lr", StepRecord::learningRate);

        private final String column;
        private final ToDoubleFunction<StepRecord> value;

        StepMetric(String column, ToDoubleFunction<StepRecord> value) {
            this.column = column;
            this.value = value;
        }

        /** Its column in {@code steps.csv}. */
        public String column() {
            return column;
        }

        /** Its value at one step. */
        public double of(StepRecord step) {
            return value.applyAsDouble(step);
        }

        /** The metric whose {@link #column()} is {@code name}; an unknown name is refused with the accepted ones. */
        public static StepMetric parse(String name) {
            for (StepMetric m : values()) {
                if (m.column.equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown step metric '" + name + "'; accepted: "
                    + Arrays.stream(values()).map(StepMetric::column).collect(Collectors.joining(", ")));
        }

        @Override
        public String toString() {
            return column;
        }
    }

    @Override
    public void onStep(StepState s) {
        steps.add(new StepRecord(s.step(), s.epoch(), s.loss(), s.r2(), s.l0(), s.gradNorm(), s.learningRate()));
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        epochs.add(summary);
    }

    /**
     * A history holding {@code steps} and {@code epochs}, as another process recorded them (a
     * data-parallel run's first worker, whose history its driver reports).
     */
    public static MetricHistory of(List<StepRecord> steps, List<EpochSummary> epochs) {
        MetricHistory h = new MetricHistory();
        h.steps.addAll(steps);
        h.epochs.addAll(epochs);
        return h;
    }

    public List<StepRecord> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<EpochSummary> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** One step metric over all steps, in step order; by name: {@code series(StepMetric.parse("grad_norm"))}. */
    public double[] series(StepMetric metric) {
        return steps.stream().mapToDouble(metric::of).toArray();
    }

    /** Writes {@code steps.csv} and {@code epochs.csv} into {@code dir}, each atomically. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> s = new ArrayList<>();
        s.add(STEPS_HEADER);
        for (StepRecord r : steps) {
            s.add(String.format(
                    Locale.ROOT,
                    "%d,%d,%s,%s,%s,%s,%s",
                    r.step(),
                    r.epoch(),
                    num(r.loss()),
                    num(r.r2()),
                    num(r.l0()),
                    num(r.gradNorm()),
                    num(r.learningRate())));
        }
        List<String> e = new ArrayList<>();
        e.add(EPOCHS_HEADER);
        for (EpochSummary r : epochs) {
            e.add(String.format(
                    Locale.ROOT,
                    "%d,%s,%s,%s,%s,%s",
                    r.epoch(),
                    num(r.loss()),
                    num(r.r2()),
                    num(r.l0()),
                    num(r.deadFraction()),
                    num(r.seconds())));
        }
        writeAtomically(dir.resolve("steps.csv"), s);
        writeAtomically(dir.resolve("epochs.csv"), e);
    }

    /** Reads a history written by {@link #write(Path)}. */
    public static MetricHistory read(Path dir) throws IOException {
        MetricHistory h = new MetricHistory();
        List<String[]> s = readCsv(dir.resolve("steps.csv"), STEPS_HEADER);
        for (String[] f : s) {
            h.steps.add(new StepRecord(
                    Long.parseLong(f[0]),
                    Integer.parseInt(f[1]),
                    Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]),
                    Double.parseDouble(f[6])));
        }
        for (String[] f : readCsv(dir.resolve("epochs.csv"), EPOCHS_HEADER)) {
            h.epochs.add(new EpochSummary(
                    Integer.parseInt(f[0]),
                    Double.parseDouble(f[1]),
                    Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]),
                    Double.parseDouble(f[5])));
        }
        return h;
    }

    private static List<String[]> readCsv(Path file, String header) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            throw new IOException(file + " is not a saekit metric history: its first line must be '" + header + "'");
        }
        int cols = header.split(",").length;
        List<String[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            String[] f = lines.get(i).split(",", -1);
            if (f.length != cols) {
                throw new IOException(file + " line " + (i + 1) + " has " + f.length + " fields, expected " + cols);
            }
            for (int j = 0; j < cols; j++) {
                try {
                    Double.parseDouble(f[j]);
                } catch (NumberFormatException e) {
                    throw new IOException(file + " line " + (i + 1) + ": " + header.split(",")[j]
                            + " is not a number: '" + f[j] + "'");
                }
            }
            rows.add(f);
        }
        return rows;
    }

    /** Shortest text that parses back to the same double. */
    private static String num(double v) {
        return Double.toString(v);
    }

    private static void writeAtomically(Path target, List<String> lines) throws IOException {
        try (AtomicFiles.Pending file = AtomicFiles.create(target)) {
            try (BufferedWriter w = file.writer()) {
                for (String line : lines) {
                    w.write(line);
                    w.newLine();
                }
            }
            file.commit();
        }
    }
}
