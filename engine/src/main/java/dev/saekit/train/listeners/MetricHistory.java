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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

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
    public record StepRecord(long step, int epoch, double loss, double r2, double l0, double gradNorm, double learningRate) {
    }

    @Override
    public void onStep(StepState s) {
        steps.add(new StepRecord(s.step(), s.epoch(), s.loss(), s.r2(), s.l0(), s.gradNorm(), s.learningRate()));
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        epochs.add(summary);
    }

    public List<StepRecord> steps() {
        return Collections.unmodifiableList(steps);
    }

    public List<EpochSummary> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** One step metric over all steps: {@code loss}, {@code r2}, {@code l0}, {@code grad_norm} or {@code lr}. */
    public double[] series(String metric) {
        ToDoubleFunction<StepRecord> f;
        switch (metric) {
            case "loss": f = StepRecord::loss; break;
            case "r2": f = StepRecord::r2; break;
            case "l0": f = StepRecord::l0; break;
            case "grad_norm": f = StepRecord::gradNorm; break;
            case "lr": f = StepRecord::learningRate; break;
            default: throw new IllegalArgumentException("unknown step metric '" + metric + "'; accepted: loss, r2, l0, grad_norm, lr");
        }
        return steps.stream().mapToDouble(f).toArray();
    }

    /** Writes {@code steps.csv} and {@code epochs.csv} into {@code dir}, each atomically. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> s = new ArrayList<>();
        s.add(STEPS_HEADER);
        for (StepRecord r : steps) {
            s.add(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s", r.step(), r.epoch(), num(r.loss()), num(r.r2()),
                    num(r.l0()), num(r.gradNorm()), num(r.learningRate())));
        }
        List<String> e = new ArrayList<>();
        e.add(EPOCHS_HEADER);
        for (EpochSummary r : epochs) {
            e.add(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s", r.epoch(), num(r.loss()), num(r.r2()), num(r.l0()),
                    num(r.deadFraction()), num(r.seconds())));
        }
        writeAtomically(dir.resolve("steps.csv"), s);
        writeAtomically(dir.resolve("epochs.csv"), e);
    }

    /** Reads a history written by {@link #write(Path)}. */
    public static MetricHistory read(Path dir) throws IOException {
        MetricHistory h = new MetricHistory();
        List<String[]> s = readCsv(dir.resolve("steps.csv"), STEPS_HEADER);
        for (String[] f : s) {
            h.steps.add(new StepRecord(Long.parseLong(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])));
        }
        for (String[] f : readCsv(dir.resolve("epochs.csv"), EPOCHS_HEADER)) {
            h.epochs.add(new EpochSummary(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
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
