package dev.saekit.onnx.splice;

import dev.saekit.onnx.FloatTensor;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An SAE measured inside the model: over a set of input batches, each batch is run clean, then
 * with the tapped rows replaced by the SAE's reconstruction ({@link Ablation#SPLICE}), by zeros
 * ({@link Ablation#ZERO}) and by the mean row ({@link Ablation#MEAN}), and each altered run's
 * outputs are compared with the clean ones ({@link Downstream}). The rows the SAE reconstructs are
 * also scored directly ({@link ReconstructionQuality}).
 *
 * <p>Rows of the tapped tensor are its last dimension. Only the rows a batch's token mask marks
 * count and are replaced; padding rows are fed their own clean values. The mean row is the mean of
 * the tap over every evaluated token (a first pass of clean runs over the batches, which are
 * therefore iterated twice), unless one is given.
 */
public final class InModelEvaluation {
    private final SplicedModel model;
    private final RowAutoencoder sae;
    private final Downstream downstream;
    private final float[] meanRow;

    private InModelEvaluation(Builder b) {
        this.model = b.model;
        this.sae = b.sae;
        this.downstream = b.downstream;
        this.meanRow = b.meanRow;
    }

    /** An evaluation of {@code sae} spliced into {@code model}, scored by {@code downstream}. */
    public static Builder builder(SplicedModel model, RowAutoencoder sae, Downstream downstream) {
        return new Builder(model, sae, downstream);
    }

    /** Settings with defaults: the mean row of the evaluated tokens for mean ablation. */
    public static final class Builder {
        private final SplicedModel model;
        private final RowAutoencoder sae;
        private final Downstream downstream;
        private float[] meanRow;

        private Builder(SplicedModel model, RowAutoencoder sae, Downstream downstream) {
            this.model = Objects.requireNonNull(model, "model");
            this.sae = Objects.requireNonNull(sae, "sae");
            this.downstream = Objects.requireNonNull(downstream, "downstream");
        }

        /** The row that mean ablation puts in place of every token's row (copied), instead of the evaluated tokens' mean. */
        public Builder meanRow(float[] row) {
            this.meanRow = row.clone();
            return this;
        }

        public InModelEvaluation build() {
            if (meanRow != null && meanRow.length != sae.width()) {
                throw new IllegalArgumentException(
                        "meanRow has " + meanRow.length + " values but the SAE's rows have " + sae.width());
            }
            return new InModelEvaluation(this);
        }
    }

    /**
     * The runs of an evaluation that do not depend on the SAE, kept for one list of batches: each
     * batch's clean run (its tap and outputs) and its runs with the tap zeroed and mean-ablated, and
     * the mean row. Evaluating SAE after SAE on the same batches (a sweep's cells) through one
     * baseline runs the model once per batch for each SAE, the splice, instead of four or five times;
     * the reports are the same. It holds the tap and three sets of outputs per batch: for a sample
     * of documents, not a corpus.
     */
    public static final class Baseline {
        private final List<EvalBatch> batches;
        private final List<Kept> kept = new ArrayList<>();
        private float[] mean;

        /** A baseline of {@code batches} (at least one), filled by the first evaluation that runs on it. */
        public Baseline(List<EvalBatch> batches) {
            if (batches.isEmpty()) {
                throw new IllegalArgumentException("no batch to evaluate: give at least one");
            }
            this.batches = List.copyOf(batches);
        }

        /** Batches whose SAE-independent runs are all kept. */
        public int kept() {
            return (int) kept.stream().filter(k -> k.zero() != null).count();
        }
    }

    /** One batch's runs that do not depend on the SAE. */
    private record Kept(
            SplicedModel.Clean clean, int[] rows, Map<String, FloatTensor> zero, Map<String, FloatTensor> mean) {}

    /** Runs the evaluation over {@code batches} (at least one). */
    public InModelReport run(Iterable<EvalBatch> batches) {
        return run(batches, null);
    }

    /** Runs the evaluation over the baseline's batches, reusing (or, the first time, keeping) its SAE-independent runs. */
    public InModelReport run(Baseline baseline) {
        return run(baseline.batches, baseline);
    }

    private InModelReport run(Iterable<EvalBatch> batches, Baseline baseline) {
        long started = System.nanoTime();
        Stopwatch time = new Stopwatch();
        float[] mean = meanRow;
        boolean meanRun = false;
        if (mean == null && baseline != null && baseline.mean == null) {
            // the mean pass's clean runs are kept: the loop below reuses them
            baseline.mean = meanOf(batches, baseline);
            meanRun = true;
        }
        if (mean == null && baseline == null) {
            mean = meanOf(batches, null);
            meanRun = true;
        }
        if (mean == null) {
            mean = baseline.mean;
        }
        double meanPass = meanRun ? seconds(started) : 0;
        Tally tally = Tally.of(downstream);
        QualityTally quality = new QualityTally(sae.width(), sae.latents());
        long sequences = 0;
        long tokens = 0;
        int index = 0;
        for (EvalBatch batch : batches) {
            Kept k = baseline != null && index < baseline.kept.size() ? baseline.kept.get(index) : null;
            SplicedModel.Clean clean = k != null ? k.clean() : time.model(() -> model.clean(batch.feeds()));
            FloatTensor tap = clean.tap();
            int[] rows = k != null ? k.rows() : countedRows(batch, tap);
            time.scoring(() -> tally.clean(batch, clean.outputs()));
            float[] x = gather(tap, rows);
            float[] xHat = time.sae(() -> {
                RowAutoencoder.Reconstruction r =
                        sae.reconstruct(Tensors.fromFlat(DType.FLOAT32, x, rows.length, tap.width()));
                Tensors.requireShape("the SAE's reconstruction", r.rows(), rows.length, tap.width());
                float[] back =
                        Tensors.copy(r.rows(), DType.FLOAT32).reshape(x.length).toFloatVector();
                quality.add(x, back, r.codes());
                return back;
            });
            float[] meanValues = mean;
            Map<String, FloatTensor> spliced =
                    time.model(() -> model.spliced(batch.feeds(), scatter(tap, rows, xHat, false)));
            boolean ablated = k != null && k.zero() != null;
            Map<String, FloatTensor> zero = ablated
                    ? k.zero()
                    : time.model(() -> model.spliced(batch.feeds(), scatter(tap, rows, new float[tap.width()], true)));
            Map<String, FloatTensor> meanAblated = ablated
                    ? k.mean()
                    : time.model(() -> model.spliced(batch.feeds(), scatter(tap, rows, meanValues, true)));
            if (baseline != null && !ablated) {
                Kept full = new Kept(clean, rows, zero, meanAblated);
                if (k == null) {
                    baseline.kept.add(full);
                } else {
                    baseline.kept.set(index, full);
                }
            }
            for (Ablation a : Ablation.values()) {
                Map<String, FloatTensor> altered = switch (a) {
                    case SPLICE -> spliced;
                    case ZERO -> zero;
                    case MEAN -> meanAblated;
                };
                time.scoring(() -> tally.add(a, batch, altered));
            }
            sequences += tap.rank() >= 2 ? tap.dim(0) : 1;
            tokens += rows.length;
            index++;
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("no batch to evaluate: give at least one");
        }
        return new InModelReport(
                model.name(),
                model.tensor(),
                sae.width(),
                sequences,
                tokens,
                meanRow == null,
                tally.result(),
                quality.result(),
                new InModelReport.Timing(
                        seconds(started), meanPass, time.model / 1e9, time.sae / 1e9, time.scoring / 1e9));
    }

    /**
     * The mean of the tap's counted rows over every batch, from clean runs, summed in double
     * precision; with a baseline, the clean runs are kept in it for the evaluation that follows.
     */
    private float[] meanOf(Iterable<EvalBatch> batches, Baseline baseline) {
        double[] sum = new double[sae.width()];
        long n = 0;
        for (EvalBatch batch : batches) {
            SplicedModel.Clean clean = model.clean(batch.feeds());
            FloatTensor tap = clean.tap();
            int[] rows = countedRows(batch, tap);
            if (baseline != null) {
                baseline.kept.add(new Kept(clean, rows, null, null));
            }
            float[] v = tap.data();
            for (int r : rows) {
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += v[r * sum.length + j];
                }
            }
            n += rows.length;
        }
        if (n == 0) {
            throw new IllegalArgumentException("no batch to evaluate: give at least one");
        }
        float[] mean = new float[sum.length];
        for (int j = 0; j < mean.length; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        return mean;
    }

    /** The counted rows of the tap, once its width is checked against the SAE's and its values are finite. */
    private int[] countedRows(EvalBatch batch, FloatTensor tap) {
        if (tap.width() != sae.width()) {
            throw new IllegalArgumentException("the SAE takes rows of width " + sae.width() + " but the tap '"
                    + model.tensor() + "' of " + model.name() + " is " + tap.shapeText() + ", rows of width "
                    + tap.width() + "; give an SAE trained on this tap's rows");
        }
        int[] rows = batch.countedRows(tap.rows(), model.tensor());
        float[] v = tap.data();
        int w = tap.width();
        for (int r : rows) {
            for (int j = r * w; j < (r + 1) * w; j++) {
                if (!Float.isFinite(v[j])) {
                    throw new IllegalArgumentException("the tap '" + model.tensor() + "' has " + v[j] + " at row " + r
                            + ", column " + (j - r * w) + " on a clean run: the model's inputs give non-finite values");
                }
            }
        }
        return rows;
    }

    private static float[] gather(FloatTensor tap, int[] rows) {
        int w = tap.width();
        float[] x = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(tap.data(), rows[i] * w, x, i * w, w);
        }
        return x;
    }

    /**
     * A copy of the tap with its counted rows replaced: by consecutive rows of {@code values}, or
     * with {@code repeat} each by {@code values} itself (one row).
     */
    private static FloatTensor scatter(FloatTensor tap, int[] rows, float[] values, boolean repeat) {
        int w = tap.width();
        float[] data = tap.data().clone();
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(values, repeat ? 0 : i * w, data, rows[i] * w, w);
        }
        return FloatTensor.of(data, tap.shape());
    }

    /** Nanoseconds spent in the model's runs, the SAE (with its metrics) and the downstream scores. */
    private static final class Stopwatch {
        long model;
        long sae;
        long scoring;

        <T> T model(java.util.function.Supplier<T> work) {
            long t0 = System.nanoTime();
            T result = work.get();
            model += System.nanoTime() - t0;
            return result;
        }

        <T> T sae(java.util.function.Supplier<T> work) {
            long t0 = System.nanoTime();
            T result = work.get();
            sae += System.nanoTime() - t0;
            return result;
        }

        void scoring(Runnable work) {
            long t0 = System.nanoTime();
            work.run();
            scoring += System.nanoTime() - t0;
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
