package dev.saekit.spark;

import dev.saekit.cli.CliException;
import dev.saekit.cli.FitJob;
import dev.saekit.cli.SaekitCli;
import dev.saekit.cli.TrainCommand;
import dev.saekit.data.DataParallelBatches;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataLocation;
import dev.saekit.io.DataProvenance;
import dev.saekit.io.ShardedDataset;
import dev.saekit.train.Adam;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingProgress;
import dev.saekit.train.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code saekit spark train}: {@code saekit train} with its training step run data-parallel on a
 * Spark cluster. Everything around it is the single-machine command's own: the options, the data
 * checks, the model's initialisation (on the driver), the final evaluation and the run directory.
 *
 * <p>The driver saves the model as it starts into {@code OUT/.spark/start}, cuts the data into one
 * part per worker ({@link TrainData}) and runs one barrier stage of {@code --workers} tasks
 * ({@link TrainTask}). The first worker saves the run's checkpoints into {@code OUT/checkpoints}, as
 * the single-machine command does, and the trained model into {@code OUT/.spark/end}, which the
 * driver loads. A lost worker fails the job at once with what to do: resume from the last checkpoint.
 */
@Command(
        name = "train",
        description = {
            "Train as `saekit train` does, data-parallel on a Spark cluster: each worker reads its own part of the data",
            "and every step the workers' gradients are summed over their own connections. --out is required (shared by",
            "the driver and every executor); checkpoints and --resume work as on one machine. See docs/spark.md."
        })
public final class SparkTrainCommand extends TrainCommand {
    /** Where the run keeps the starting and the trained state between driver and workers, under --out. */
    static final String STATE_DIR = ".spark";

    @Mixin
    SparkOptions spark;

    @picocli.CommandLine.Option(
            names = "--single-process",
            description = "Train in this process, without Spark, on the very global batches --workers workers would"
                    + " train on: what a cluster run equals up to the order of additions (to check one, or debug).")
    boolean singleProcess;

    @Override
    protected FitJob.Fitted fit(FitJob job) throws CliException, IOException {
        if (job.out() == null) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "saekit spark train needs --out: the workers write the checkpoints and the trained model there,"
                            + " on storage the driver and every executor share");
        }
        if (!spark.master().startsWith("local") && spark.workers() == null) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--master " + spark.master() + " needs --workers N: the data-parallel workers, one task slot each");
        }
        try {
            dev.saekit.train.DataParallel.check(job.model(), job.config());
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage());
        }
        PrintWriter stdout = new PrintWriter(System.out, true);
        if (singleProcess) {
            return replay(job, stdout);
        }
        Path state = job.out().toAbsolutePath().resolve(STATE_DIR);
        SparkSession session = Clusters.session("train", withTrainingDefaults(spark));
        try {
            JavaSparkContext sc = Clusters.context(session);
            int workers = Clusters.workers(spark, sc);
            TrainData data = plan(job, workers);
            if (job.resumeFrom() != null) {
                checkProgress(job.resumeFrom(), job.config(), data.stepsPerEpoch());
            }
            String start = job.resumeFrom() != null
                    ? job.resumeFrom().dir().toAbsolutePath().toString()
                    : Checkpoints.save(
                                    state.resolve("start"),
                                    Checkpoints.State.builder(job.model(), new TrainingProgress(0, 0, 0))
                                            .training(job.config())
                                            .build(),
                                    1)
                            .toAbsolutePath()
                            .toString();
            TrainTask.CheckpointSpec checkpoints = checkpoints(job, state);
            describe(stdout, job, data, workers, spark.master());
            long t0 = System.nanoTime();
            List<WorkerReport> reports;
            try {
                reports = Barrier.run(
                        sc,
                        workers,
                        new TrainTask(
                                start,
                                job.resumeFrom() != null,
                                job.freshOptimizer(),
                                data,
                                checkpoints,
                                state.resolve("end").toString(),
                                spark.allReduceTimeout().toSeconds()));
            } catch (Exception e) { // Spark's job failures are checked exceptions Java is not told of
                throw SparkFailures.training(e, job.out());
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            WorkerReport first = reports.get(0);
            Checkpoint end = Checkpoints.load(Path.of(first.finalCheckpoint()));
            Trainer holder = new Trainer(end.trainingConfig());
            end.restoreOptimizer((Adam) holder.optimizer());
            TrainingResult result = new TrainingResult(
                    TrainingResult.Status.valueOf(first.status()),
                    first.message(),
                    first.steps(),
                    first.trainSeconds(),
                    TrainTask.history(first));
            TrainTimes times = TrainTimes.of(reports, wall, spark.master());
            times.print(stdout);
            times.write(job.out().resolve("spark.json"));
            LocalFiles.deleteTree(state);
            return new FitJob.Fitted(
                    end.model(),
                    result,
                    end.trainingConfig(),
                    holder.optimizer(),
                    end.progress().step());
        } finally {
            session.stop();
        }
    }

    /** Trains in this process on the global batches of {@code --workers} workers. */
    private FitJob.Fitted replay(FitJob job, PrintWriter stdout) throws CliException, IOException {
        if (spark.workers() == null) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE, "--single-process needs --workers N: the workers whose batches to train on");
        }
        int workers = spark.workers();
        TrainData data = plan(job, workers);
        describe(stdout, job, data, workers, "one process (--single-process)");
        List<dev.saekit.data.Dataset> parts = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            parts.add(data.part(w));
        }
        dev.saekit.data.Dataset global =
                new DataParallelBatches(parts, data.whole(), job.config().batchSize());
        return super.fit(new FitJob(
                job.model(),
                job.config(),
                job.listeners(),
                global,
                job.data(),
                job.name(),
                job.rowAxes(),
                job.mean(),
                job.scale(),
                job.bufferRows(),
                job.resumeFrom(),
                job.freshOptimizer(),
                job.checkpointing(),
                job.out()));
    }

    /** Training's own defaults beside {@link Clusters}': a failed task fails the job (a retry would start over). */
    private static SparkOptions withTrainingDefaults(SparkOptions given) {
        given.conf.putIfAbsent("spark.task.maxFailures", "1");
        given.conf.putIfAbsent("spark.stage.maxConsecutiveAttempts", "1");
        return given;
    }

    /** Cuts the data into one part per worker. */
    private TrainData plan(FitJob job, int workers) throws CliException, IOException {
        int batch = job.config().batchSize();
        if (batch < workers) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--batch-size " + batch + " cannot be shared among " + workers + " workers: use at least one row"
                            + " per worker");
        }
        double[] mean = TrainData.values(job.mean());
        if (job.dataset() instanceof ShardedDataset shards) {
            List<String> files = new ArrayList<>();
            for (Path f : shards.files()) {
                files.add(f.toAbsolutePath().toString());
            }
            if (files.size() < workers) {
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        "--data has " + files.size() + " shard(s) and each of the " + workers
                                + " workers streams its own: use at most " + files.size()
                                + " workers, or more shards");
            }
            String arrayName = isActivationDirectory(job.data()) ? null : job.name();
            DataLocation location = DataLocation.of(shards.files(), arrayName, job.rowAxes());
            long[] fileRows =
                    location.arrays().stream().mapToLong(a -> a.rows()).toArray();
            long[] cuts = balancedCuts(fileRows, workers);
            long[] partRows = new long[workers];
            for (int w = 0; w < workers; w++) {
                for (long f = cuts[w]; f < cuts[w + 1]; f++) {
                    partRows[w] += fileRows[(int) f];
                }
            }
            return new TrainData(
                    job.data() == null ? null : job.data().toString(),
                    arrayName,
                    job.rowAxes(),
                    job.model().dtype(),
                    job.bufferRows(),
                    mean,
                    job.scale(),
                    files,
                    cuts,
                    partRows,
                    DataParallelBatches.shares(batch, partRows));
        }
        long rows = job.dataset().rows();
        if (rows < workers) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE, "--data has " + rows + " rows, fewer than the " + workers + " workers");
        }
        long[] cuts = new long[workers + 1];
        long[] partRows = new long[workers];
        for (int w = 0; w <= workers; w++) {
            cuts[w] = rows * w / workers;
            if (w > 0) {
                partRows[w - 1] = cuts[w] - cuts[w - 1];
            }
        }
        return new TrainData(
                job.data() == null ? null : job.data().toString(),
                job.name(),
                job.rowAxes(),
                job.model().dtype(),
                job.bufferRows(),
                mean,
                job.scale(),
                null,
                cuts,
                partRows,
                DataParallelBatches.shares(batch, partRows));
    }

    private static boolean isActivationDirectory(Path data) {
        return data != null && Files.isRegularFile(data.resolve(dev.saekit.io.ActivationManifest.FILE_NAME));
    }

    /**
     * Where each worker's run of files starts: contiguous runs, at least one file each, cut where the
     * rows so far first reach an equal share.
     */
    static long[] balancedCuts(long[] fileRows, int workers) {
        long total = 0;
        for (long r : fileRows) {
            total += r;
        }
        long[] cuts = new long[workers + 1];
        cuts[workers] = fileRows.length;
        long seen = 0;
        int f = 0;
        for (int w = 1; w < workers; w++) {
            long target = total * w / workers;
            while (f < fileRows.length - (workers - w) && (seen + fileRows[f] / 2 < target || f < cuts[w - 1] + 1)) {
                seen += fileRows[f];
                f++;
            }
            cuts[w] = f;
        }
        return cuts;
    }

    private static TrainTask.CheckpointSpec checkpoints(FitJob job, Path state) throws IOException {
        FitJob.Checkpointing c = job.checkpointing();
        if (c == null) {
            return null;
        }
        String attachments = null;
        if (c.attachments() != null && !c.attachments().isEmpty()) {
            Path file = state.resolve("attachments.safetensors");
            Files.createDirectories(state);
            dev.saekit.io.Safetensors.write(file, c.attachments(), java.util.Map.of());
            attachments = file.toString();
        }
        DataProvenance provenance = c.provenance();
        return new TrainTask.CheckpointSpec(
                c.dir().toAbsolutePath().toString(),
                c.every(),
                c.keep(),
                provenance == null ? null : provenance.toJson().toString(),
                c.cli() == null ? null : c.cli().toString(),
                attachments,
                c.runId());
    }

    private static void describe(PrintWriter out, FitJob job, TrainData data, int workers, String master) {
        StringBuilder shares = new StringBuilder();
        for (int w = 0; w < workers; w++) {
            shares.append(w == 0 ? "" : " + ").append(data.shares()[w]);
        }
        long total = java.util.Arrays.stream(data.partRows()).sum();
        long reached = data.rowsReached();
        out.printf(
                Locale.ROOT,
                "spark     %d worker(s) on %s; parts of %s rows; %d steps per epoch of %d rows (%s)%s%n",
                workers,
                master,
                java.util.Arrays.toString(data.partRows()),
                data.stepsPerEpoch(),
                job.config().batchSize(),
                shares,
                reached < total
                        ? String.format(
                                Locale.ROOT,
                                "; %d rows past the end of the first part to run out are not reached",
                                total - reached)
                        : "");
        out.flush();
    }
}
