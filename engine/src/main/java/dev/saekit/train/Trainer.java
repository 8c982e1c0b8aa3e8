package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.metrics.Metrics;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.listeners.DeadCodeTracker;
import dev.saekit.train.listeners.MetricHistory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop of overcomplete's {@code train_sae}, with explicit backward passes:
 * for each batch, zero the gradients, forward, fetch the dictionary for the loss, evaluate the
 * loss and its output gradients, backward, the model's after-backward hook, clip the global
 * gradient norm, let the listeners
 * veto the update ({@link TrainingListener#beforeUpdate}), step the optimiser, step the schedule.
 *
 * <p>A trainer always records a {@link MetricHistory} and tracks dead codes per epoch; further
 * behaviour comes from listeners. The optimiser persists across calls of {@link #fit}, so a second
 * call continues where the first ended.
 */
public final class Trainer {
    private TrainingConfig config;
    private final List<TrainingListener> listeners;
    private final Optimizer optimizer;
    private long stepsDone;
    private DataParallel parallel;
    private GradientSum gradientSum;
    private final long[] phaseNanos = new long[Phase.values().length];

    /** The parts of a training step that {@link #phaseSeconds()} times. */
    public enum Phase {
        /** The model's forward pass and the dictionary fetch for the loss. */
        FORWARD,
        /** The loss and its output gradients. */
        LOSS,
        /** The backward pass and the after-backward hook. */
        BACKWARD,
        /** The global gradient norm and clipping. */
        CLIP,
        /** The step's metrics (R², L0) and the listeners. */
        METRICS,
        /** The optimiser's update. */
        UPDATE,
        /**
         * Data-parallel training's sums over the workers of the gradients and the step's values, waiting
         * for the slowest worker included, and the step's R² and L0 there (0 in one process); the batch
         * statistics summed inside the forward and the loss count in their phases.
         */
        ALL_REDUCE
    }

    public Trainer(TrainingConfig config, List<TrainingListener> listeners) {
        this.config = config;
        this.listeners = List.copyOf(listeners);
        this.optimizer = config.optimizer().create();
    }

    public Trainer(TrainingConfig config, TrainingListener... listeners) {
        this(config, List.of(listeners));
    }

    /**
     * The config this trainer runs: the one it was made with, with an estimated input normalisation
     * resolved once the first run has started (what checkpoints record).
     */
    public TrainingConfig config() {
        return config;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Seconds spent in each {@link Phase} of every step this trainer has run, indexed by
     * {@code Phase.ordinal()}: where a step's time goes (for benchmarks; a timing is never asserted).
     */
    public double[] phaseSeconds() {
        double[] s = new double[phaseNanos.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = phaseNanos[i] / 1e9;
        }
        return s;
    }

    /**
     * Makes this trainer one worker of a data-parallel run (see {@link DataParallel}): each step it
     * trains on its own batch of {@code parallel.batchRows()} rows, its losses normalise by the
     * global batch, the model's and the losses' batch statistics and then the gradients are summed
     * over the workers, and every worker applies the same update. In float64 the run equals one
     * process training on the workers' batches put together, up to the order of additions. Refused at
     * the start of a run for a loss or a model that cannot be shared ({@link Loss#dataParallel()},
     * {@link SparseAutoencoder#shareBatches}) and for dead-latent resampling. Null returns to one process.
     */
    public Trainer dataParallel(DataParallel parallel) {
        this.parallel = parallel;
        return this;
    }

    /** Optimiser steps taken by this trainer so far. */
    public long stepsDone() {
        return stepsDone;
    }

    /**
     * Trains {@code model} on {@code data} for {@code config.epochs()} epochs. Returns normally
     * when training completes or diverges (see {@link TrainingResult#status()}); a divergence leaves
     * the weights and buffers (running statistics) of the last finite step in the model.
     */
    public TrainingResult fit(SparseAutoencoder model, Dataset data) {
        return run(model, data, null, Map.of());
    }

    /**
     * Continues a run of this config from {@code from} (a checkpoint's progress): the optimiser must
     * hold the checkpoint's state (see {@link Adam#restore}). Epochs before {@code from.epoch()} and the
     * first {@code from.stepInEpoch()} batches of that epoch are skipped, in the same seeded order, so
     * in float64 the resumed run ends bit for bit where the uninterrupted one does.
     */
    public TrainingResult resume(SparseAutoencoder model, Dataset data, TrainingProgress from) {
        return run(model, data, from, Map.of());
    }

    /**
     * {@link #resume(SparseAutoencoder, Dataset, TrainingProgress)} that also puts back the states of
     * the run's {@linkplain StatefulListener stateful listeners}, by state name, as a checkpoint saved
     * them ({@link TrainingContext#listenerStates()}): AuxK's dead-code window and mask, the epoch's
     * dead-code tracking. A state whose listener this run lacks is an error; a listener without a
     * saved state starts afresh.
     */
    public TrainingResult resume(
            SparseAutoencoder model,
            Dataset data,
            TrainingProgress from,
            Map<String, Map<String, INDArray>> listenerStates) {
        return run(model, data, from, listenerStates);
    }

    private TrainingResult run(
            SparseAutoencoder model,
            Dataset data,
            TrainingProgress from,
            Map<String, Map<String, INDArray>> listenerStates) {
        if (data.cols() != model.rowWidth()) {
            String expected = model.rowWidth() == model.inputDim()
                    ? "rows of width " + model.inputDim() + " (shape [batch, " + model.inputDim() + "])"
                    : "rows of width " + model.rowWidth() + " (its input, " + model.inputDim()
                            + " columns, then its target, " + model.outputDim() + " columns: pair the two data sets)";
            throw new IllegalArgumentException("data " + data.description() + " has shape [" + data.rows() + ", "
                    + data.cols() + "] but the " + model.coder().kind() + " expects " + expected);
        }
        if (data.rows() == 0) {
            throw new IllegalArgumentException("data set " + data.description() + " is empty");
        }
        MemoryEstimate.checkBeforeTraining(
                model, data, config); // fail now, not at the OOM killer (-Dsaekit.memory.check=false: off)
        dev.saekit.parallel.Collective workers =
                parallel == null ? dev.saekit.parallel.Collective.single() : parallel.collective();
        int batchRows = parallel == null ? config.batchSize() : parallel.batchRows();
        Dataset whole = parallel == null ? data : parallel.whole();
        if (parallel != null) {
            checkDataParallel(model);
        }
        int stepsPerEpoch = stepsPerEpoch(data.rows(), batchRows, workers);
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        // a fresh fit continues this trainer's schedule; a resume places itself in the run's own schedule
        long base = from == null ? stepsDone : from.step();
        long scheduleLength = from == null ? stepsDone + totalSteps : totalSteps;
        checkFeatures(model, scheduleLength);
        if (!config.normalization().resolved()) { // once per run: checkpoints record the factor
            config = config.withNormalization(config.normalization().resolve(whole, config.seed()));
        }
        double inputScale = config.normalization().factor();
        if (from == null && stepsDone == 0 && config.decoderBiasInit() != DecoderBiasInit.ZERO) {
            INDArray sample =
                    dev.saekit.tensor.Tensors.copy(whole.sample(config.statisticsRows(), config.seed()), model.dtype());
            config.decoderBiasInit().apply(model, inputScale == 1.0 ? sample : sample.muli(inputScale));
        }
        MetricHistory history = new MetricHistory();
        DeadCodeTracker dead = new DeadCodeTracker(DeadCodeTracker.EPOCH_STATE, 0);
        List<TrainingListener> all = new ArrayList<>();
        all.add(history);
        all.add(dead);
        List<TrainingListener> own = new ArrayList<>(config.loss().listeners());
        if (config.resampling() != null) { // before the caller's listeners: a checkpoint then sees its changes
            own.add(new DeadLatentResampler(config.resampling()));
        }
        for (TrainingListener l : concat(own, listeners)) {
            if (!all.contains(l)) { // a loss's tracker may also be passed as a listener: it must see each step once
                all.add(l);
            }
        }
        int firstEpoch = from == null ? 0 : from.epoch();
        int skipInFirstEpoch = from == null ? 0 : from.stepInEpoch();
        Map<String, StatefulListener> stateful = statefulByName(all);
        TrainingContext context = new TrainingContext(
                model,
                data,
                config,
                stepsPerEpoch,
                totalSteps,
                optimizer,
                from == null ? new TrainingProgress(0, 0, stepsDone) : from,
                stateful,
                workers);
        for (TrainingListener l : all) {
            l.onTrainingStart(context);
        }
        listenerStates.forEach((name, state) -> {
            StatefulListener l = stateful.get(name);
            if (l == null) {
                throw new IllegalArgumentException("the saved state of listener '" + name
                        + "' has no listener in this run " + "(its listeners keep state under " + stateful.keySet()
                        + "): resume with the loss it was saved with");
            }
            l.restoreState(state);
        });

        List<Parameter> params = model.parameters();
        LossGradients grads = new LossGradients(model.dtype());
        Buffers cast = new Buffers(model.dtype());
        BufferGuard bufferGuard = new BufferGuard(params);
        long start = System.nanoTime();
        long step = 0;
        TrainingResult.Status status = TrainingResult.Status.COMPLETED;
        String message = "";
        model.train();
        training:
        for (int epoch = firstEpoch; epoch < config.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            double lossSum = 0;
            double r2Sum = 0;
            double l0Sum = 0;
            int inEpoch = epoch == firstEpoch ? skipInFirstEpoch : 0;
            int toSkip = inEpoch;
            int applied = 0;
            Iterable<INDArray> batches =
                    config.shuffle() ? data.batches(batchRows, config.seed(), epoch) : data.batchesInOrder(batchRows);
            for (INDArray batch : batches) {
                if (inEpoch >= stepsPerEpoch) {
                    break; // data-parallel: this worker has batches the others lack
                }
                if (toSkip > 0) {
                    toSkip--;
                    continue;
                }
                INDArray rows = batch.dataType() == model.dtype().nd4j() && inputScale == 1.0
                        ? batch
                        : cast.get("x", batch.rows(), batch.columns()).assign(batch);
                if (inputScale != 1.0) {
                    rows.muli(inputScale); // a transcoder's target is scaled with its input
                }
                // an autoencoder's target is its input; a transcoder's rows hold the input, then the target
                INDArray x = model.inputOf(rows);
                INDArray target = model.targetOf(rows);
                long globalStep = base + step;
                if (config.kAnnealing() != null) {
                    config.kAnnealing().apply(model, globalStep);
                }
                Loss stepLoss = config.sparsityWarmupSteps() > 0
                        ? config.loss().withSparsityFactor(config.sparsityFactor(globalStep))
                        : config.loss();
                double lr =
                        config.optimizer().learningRate() * config.schedule().factor(globalStep, scheduleLength);
                long t0 = System.nanoTime();
                model.zeroGrad();
                bufferGuard.save();
                SaeOutput out = model.forward(x);
                INDArray d = model.getDictionary();
                long t1 = System.nanoTime();
                grads.reset(out);
                if (!workers.isSingle()) {
                    grads.shareBatch(Math.round(workers.sum((double) x.rows())), workers);
                }
                double loss = stepLoss.evaluate(target, out, d, grads);
                long t2 = System.nanoTime();
                model.backward(grads.toOutputGradients());
                model.afterBackward();
                long t3 = System.nanoTime();
                double r2 = Double.NaN;
                double l0 = Double.NaN;
                if (!workers.isSingle()) { // the workers' parts add up to the global batch's gradients and loss
                    if (gradientSum == null) {
                        gradientSum = new GradientSum();
                    }
                    gradientSum.sum(params, workers);
                    r2 = Metrics.r2(target, out.reconstruction());
                    l0 = Metrics.l0PerSample(out);
                    double[] values = {loss, r2 * x.rows(), l0 * x.rows(), x.rows()};
                    workers.sum(values);
                    loss = values[0];
                    r2 = values[1] / values[3]; // the workers' R² and L0, weighted by their rows
                    l0 = values[2] / values[3];
                }
                long t3r = workers.isSingle() ? t3 : System.nanoTime();
                phaseNanos[Phase.ALL_REDUCE.ordinal()] += t3r - t3;
                // clipping's factor is applied by the optimiser as it reads the gradients (no pass of its own):
                // listeners see the gradients before clipping and the factor (StepState.clipScale)
                double gradNorm = GradientClipping.globalNorm(params);
                double gradScale =
                        config.clipNorm() > 0 ? GradientClipping.coefficient(gradNorm, config.clipNorm()) : 1.0;
                long t4 = System.nanoTime();
                StepState state = new StepState(
                        epoch,
                        globalStep + 1,
                        inEpoch + 1,
                        stepsPerEpoch,
                        totalSteps,
                        loss,
                        workers.isSingle() ? Metrics.r2(target, out.reconstruction()) : r2,
                        workers.isSingle() ? Metrics.l0PerSample(out) : l0,
                        gradNorm,
                        lr,
                        out,
                        gradScale);
                try {
                    for (TrainingListener l : all) {
                        l.beforeUpdate(state);
                    }
                } catch (TrainingDivergedException e) {
                    bufferGuard.restore();
                    status = TrainingResult.Status.DIVERGED;
                    message = e.getMessage();
                    break training;
                }
                long t5 = System.nanoTime();
                optimizer.step(params, lr, gradScale);
                long t6 = System.nanoTime();
                phaseNanos[Phase.FORWARD.ordinal()] += t1 - t0;
                phaseNanos[Phase.LOSS.ordinal()] += t2 - t1;
                phaseNanos[Phase.BACKWARD.ordinal()] += t3 - t2;
                phaseNanos[Phase.CLIP.ordinal()] += t4 - t3r;
                phaseNanos[Phase.METRICS.ordinal()] += t5 - t4;
                phaseNanos[Phase.UPDATE.ordinal()] += t6 - t5;
                step++;
                inEpoch++;
                applied++;
                lossSum += loss;
                r2Sum += state.r2();
                l0Sum += state.l0();
                for (TrainingListener l : all) {
                    l.onStep(state);
                }
            }
            if (applied == 0) {
                continue; // a resume that starts at the end of an epoch has nothing to summarise
            }
            EpochSummary summary = new EpochSummary(
                    epoch,
                    lossSum / applied,
                    r2Sum / applied,
                    l0Sum / applied,
                    dead.deadFraction(),
                    (System.nanoTime() - epochStart) / 1e9);
            for (TrainingListener l : all) {
                l.onEpochEnd(summary);
            }
        }
        stepsDone = base + step;
        TrainingResult result = new TrainingResult(status, message, step, (System.nanoTime() - start) / 1e9, history);
        for (TrainingListener l : all) {
            l.onTrainingEnd(result);
        }
        return result;
    }

    /** Refuses, before anything changes, what data-parallel training cannot share among its workers. */
    private void checkDataParallel(SparseAutoencoder model) {
        DataParallel.check(model, config);
        model.shareBatches(parallel.collective());
    }

    /**
     * The steps of each epoch: the batches of this worker's rows, in one process; the fewest any
     * worker has, in data-parallel training.
     */
    private static int stepsPerEpoch(long rows, int batchRows, dev.saekit.parallel.Collective workers) {
        int own = Math.toIntExact((rows + batchRows - 1) / batchRows);
        if (workers.isSingle()) {
            return own;
        }
        double[] all = new double[workers.size()];
        all[workers.rank()] = own;
        workers.sum(all);
        int fewest = own;
        for (double steps : all) {
            fewest = Math.min(fewest, (int) steps);
        }
        return fewest;
    }

    /** Refuses, before anything changes, a feature of the config that this model cannot follow. */
    private void checkFeatures(SparseAutoencoder model, long scheduleLength) {
        config.decoderBiasInit().check(model);
        if (!(config.normalization() instanceof InputNormalization.None)) {
            ScaleFolding.check(model); // a normalised run's model is saved with the scale folded in
        }
        if (config.kAnnealing() != null) {
            config.kAnnealing().check(model, scheduleLength);
        }
        if (config.resampling() != null) {
            DeadLatentResampler.check(model);
        }
    }

    /** The stateful listeners by unique name: a repeated name gets {@code #2}, {@code #3}, ... in order. */
    private static Map<String, StatefulListener> statefulByName(List<TrainingListener> listeners) {
        Map<String, StatefulListener> byName = new LinkedHashMap<>();
        for (TrainingListener l : listeners) {
            if (l instanceof StatefulListener s) {
                String name = s.stateName();
                for (int n = 2; byName.containsKey(name); n++) {
                    name = s.stateName() + "#" + n;
                }
                byName.put(name, s);
            }
        }
        return byName;
    }

    private static List<TrainingListener> concat(List<TrainingListener> a, List<TrainingListener> b) {
        List<TrainingListener> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Keeps the buffers (BatchNorm's running statistics, ...) as the last applied step left them: a
     * refused step's forward pass has already updated them, possibly with non-finite values, and
     * {@link #restore} puts them back. Only buffers whose {@link Parameter#version()} moved are
     * copied, so constant buffers cost one copy per run.
     */
    private static final class BufferGuard {
        private final List<Parameter> buffers = new ArrayList<>();
        private final List<INDArray> saved = new ArrayList<>();
        private final long[] versions;

        BufferGuard(List<Parameter> params) {
            for (Parameter p : params) {
                if (!p.isTrainable()) {
                    buffers.add(p);
                    saved.add(p.value().dup('c'));
                }
            }
            versions = new long[buffers.size()];
            for (int i = 0; i < versions.length; i++) {
                versions[i] = buffers.get(i).version();
            }
        }

        void save() {
            for (int i = 0; i < versions.length; i++) {
                Parameter p = buffers.get(i);
                if (p.version() != versions[i]) {
                    saved.get(i).assign(p.value());
                    versions[i] = p.version();
                }
            }
        }

        void restore() {
            for (int i = 0; i < versions.length; i++) {
                Parameter p = buffers.get(i);
                if (p.version() != versions[i]) {
                    p.assign(saved.get(i));
                    versions[i] = p.version();
                }
            }
        }
    }
}
