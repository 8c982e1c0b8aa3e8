package dev.saekit.spark;

import dev.saekit.data.Dataset;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.CheckpointListener;
import dev.saekit.io.Checkpoints;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.parallel.SocketRing;
import dev.saekit.train.Adam;
import dev.saekit.train.DataParallel;
import dev.saekit.train.EpochSummary;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingProgress;
import dev.saekit.train.TrainingResult;
import dev.saekit.train.listeners.MetricHistory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * One worker of a data-parallel training run, as a task of one barrier stage: it joins the ring,
 * loads the run's starting checkpoint (the model as the driver made it, or the checkpoint a resumed
 * run continues), opens its own part of the data and the whole (for the run's data-dependent
 * starting points), and trains with its gradients summed over the ring every step. The first worker
 * saves the run's checkpoints on the way, as the single-machine command does, and at the end the
 * trained model and optimiser, for the driver to evaluate and write.
 *
 * @param start the checkpoint every worker starts from
 * @param resume whether the run continues {@code start} (its progress, optimiser and listener states)
 * @param freshOptimizer whether a resumed run starts Adam afresh
 * @param data where each worker reads its rows
 * @param checkpoints the run's checkpoints (saved by the first worker), or null
 * @param end where the first worker saves the trained model and optimiser
 * @param timeoutSeconds how long a worker waits for its neighbour in a sum
 */
record TrainTask(
        String start,
        boolean resume,
        boolean freshOptimizer,
        TrainData data,
        CheckpointSpec checkpoints,
        String end,
        long timeoutSeconds)
        implements Barrier.Task<WorkerReport> {

    @Override
    public WorkerReport run(int rank, int size, BarrierTaskContext context) throws Exception {
        long t0 = System.nanoTime();
        try (SocketRing ring = size == 1 ? null : Rendezvous.join(context, rank, Duration.ofSeconds(timeoutSeconds))) {
            dev.saekit.parallel.Collective workers = ring != null ? ring : dev.saekit.parallel.Collective.single();
            Checkpoint from = Checkpoints.load(Path.of(start));
            SparseAutoencoder model = from.model();
            TrainingConfig config = from.trainingConfig();
            Dataset part = data.part(rank);
            Dataset whole = data.whole();
            List<TrainingListener> listeners = new ArrayList<>();
            if (rank == 0 && checkpoints != null) {
                listeners.add(checkpoints.listener());
            }
            FaultInjection.at(rank).ifPresent(listeners::add);
            Trainer trainer =
                    new Trainer(config, listeners).dataParallel(new DataParallel(workers, data.shares()[rank], whole));
            long t1 = System.nanoTime();
            TrainingResult result;
            if (resume) {
                if (!freshOptimizer) {
                    from.restoreOptimizer((Adam) trainer.optimizer());
                }
                result = trainer.resume(model, part, from.progress(), from.listenerStates());
            } else {
                result = trainer.fit(model, part);
            }
            long t2 = System.nanoTime();
            model.shareBatches(dev.saekit.parallel.Collective.single());
            String saved = null;
            double[][] steps = null;
            double[][] epochs = null;
            if (rank == 0) {
                saved = Checkpoints.save(
                                Path.of(end),
                                Checkpoints.State.builder(
                                                model, new TrainingProgress(config.epochs(), 0, trainer.stepsDone()))
                                        .optimizer(trainer.optimizer())
                                        .training(trainer.config())
                                        .runId(checkpoints != null ? checkpoints.runId() : null)
                                        .build(),
                                1)
                        .toString();
                steps = steps(result.history());
                epochs = epochs(result.history());
            }
            return new WorkerReport(
                    rank,
                    result.status().name(),
                    result.message(),
                    result.steps(),
                    part.rows(),
                    (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9,
                    trainer.phaseSeconds(),
                    ring == null ? 0 : ring.secondsInSums(),
                    ring == null ? 0 : ring.bytesSent(),
                    steps,
                    epochs,
                    saved);
        }
    }

    private static double[][] steps(MetricHistory h) {
        return h.steps().stream()
                .map(s -> new double[] {s.step(), s.epoch(), s.loss(), s.r2(), s.l0(), s.gradNorm(), s.learningRate()})
                .toArray(double[][]::new);
    }

    private static double[][] epochs(MetricHistory h) {
        return h.epochs().stream()
                .map(e -> new double[] {e.epoch(), e.loss(), e.r2(), e.l0(), e.deadFraction(), e.seconds()})
                .toArray(double[][]::new);
    }

    /** The history a first worker reported. */
    static MetricHistory history(WorkerReport r) {
        List<MetricHistory.StepRecord> steps = new ArrayList<>();
        for (double[] s : r.stepRecords()) {
            steps.add(new MetricHistory.StepRecord((long) s[0], (int) s[1], s[2], s[3], s[4], s[5], s[6]));
        }
        List<EpochSummary> epochs = new ArrayList<>();
        for (double[] e : r.epochRecords()) {
            epochs.add(new EpochSummary((int) e[0], e[1], e[2], e[3], e[4], e[5]));
        }
        return MetricHistory.of(steps, epochs);
    }

    /**
     * The run's checkpoints as the first worker saves them: {@code every} steps into {@code dir},
     * the last {@code keep} kept, recording what the single-machine command records (its data, its
     * command line as JSON, the attachments, the run's id).
     */
    record CheckpointSpec(
            String dir, long every, int keep, String dataJson, String cliJson, String attachments, String runId)
            implements java.io.Serializable {
        CheckpointListener listener() throws java.io.IOException {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            CheckpointListener.Builder b = CheckpointListener.builder(Path.of(dir))
                    .every(every)
                    .keep(keep)
                    .runId(runId);
            if (dataJson != null) {
                b.data(dev.saekit.io.DataProvenance.fromJson(json.readTree(dataJson)));
            }
            if (cliJson != null) {
                b.cli(json.readTree(cliJson));
            }
            if (attachments != null) {
                b.attachments(dev.saekit.io.Safetensors.read(Path.of(attachments)));
            }
            return b.build();
        }
    }
}
