package dev.saekit.spark;

import dev.saekit.cli.CliException;
import dev.saekit.cli.HarvestCommand;
import dev.saekit.cli.SaekitCli;
import dev.saekit.cli.TextModelOption;
import dev.saekit.onnx.text.HarvestPart;
import dev.saekit.onnx.text.HarvestPlan;
import dev.saekit.onnx.text.HarvestState;
import dev.saekit.onnx.text.TextCorpus;
import dev.saekit.onnx.text.TextModel;
import dev.saekit.onnx.text.TokenHarvest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saekit spark harvest}: {@code saekit harvest} in parts on a Spark cluster. The driver
 * reads the corpus and plans the harvest into parts of whole shards ({@link HarvestPlan}), its
 * documents' tokens counted by Spark tasks in parallel ({@link ClusterCounts}; {@code --tokenize-on
 * driver} counts them on the driver alone, the same plan); each part is one task, which runs the ONNX model on its documents and commits its
 * shards and token rows atomically under {@code OUT/parts/}; the driver then assembles the harvest
 * directory, the very files the single-machine command writes. A rerun with the same settings skips
 * the parts already committed.
 */
@Command(
        name = "harvest",
        description = {
            "Harvest as `saekit harvest` does, in parts on a Spark cluster: the same options, the same files in --out",
            "(byte for byte). --out is storage the driver and every executor share, or a Hadoop file system URI",
            "(hdfs://, s3a://, file://); a rerun skips finished parts. The plan's tokenizing runs on the cluster's",
            "executors too (--tokenize-on)."
        })
public final class SparkHarvestCommand extends HarvestCommand {
    @Mixin
    SparkOptions spark;

    @Option(
            names = "--parts",
            paramLabel = "N",
            description = "Parts to plan, each one task that commits on its own (fewer if the harvest has fewer"
                    + " shards). Default: --workers.")
    Integer parts;

    /** Where the plan's documents are tokenized. */
    enum TokenizeOn {
        cluster,
        driver
    }

    @Option(
            names = "--tokenize-on",
            paramLabel = "WHERE",
            description = "Where the plan tokenizes the corpus to count each document's tokens: cluster (Spark tasks"
                    + " of up to 2,000 documents each, in parallel, while the driver reads ahead) or driver (one core"
                    + " of the driver, one document after another). The plan is the same. Default: cluster on a cluster's"
                    + " master, driver on local[N].")
    TokenizeOn tokenizeOn;

    /**
     * Whether the plan's tokenizing runs in Spark tasks: as {@code --tokenize-on} says, else on a
     * cluster master but not on {@code local[N]}, whose tasks share the driver's own cores (measured
     * slower there: the driver's reading and the tasks compete for the same cores).
     */
    private boolean tokenizeOnCluster() {
        return tokenizeOn != null
                ? tokenizeOn == TokenizeOn.cluster
                : !spark.master().startsWith("local");
    }

    /** {@code --out} when it is a Hadoop file system URI, else null. */
    private String remoteOut;

    @Override
    protected int harvest(TokenHarvest.Builder builder, TextModel textModel, TextCorpus documents, PrintWriter stdout)
            throws CliException, IOException {
        SparkSession session = Clusters.session("harvest", spark);
        HadoopStore store = null;
        try {
            store = openStore(session);
            return harvest(session, store, builder, textModel, documents, stdout);
        } finally {
            session.stop();
            if (store != null) {
                store.close();
                LocalFiles.deleteTree(out());
            }
        }
    }

    /** The {@code --out} URI's file system, or null for a path. */
    private HadoopStore openStore(SparkSession session) throws CliException {
        if (remoteOut == null) {
            return null;
        }
        try {
            return HadoopStore.open(remoteOut, session.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "--out: " + e.getMessage());
        }
    }

    private int harvest(
            SparkSession session,
            HadoopStore store,
            TokenHarvest.Builder builder,
            TextModel textModel,
            TextCorpus documents,
            PrintWriter stdout)
            throws CliException, IOException {
        JavaSparkContext sc = Clusters.context(session);
        int workers = Clusters.workers(spark, sc);
        int wanted = parts != null ? parts : workers;
        if (wanted < 1) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--parts must be >= 1, was " + wanted);
        }
        long t0 = System.nanoTime();
        HarvestPlan plan;
        try {
            if (store != null) {
                remote(() -> RemoteHarvest.pull(store, out()));
            }
            plan = tokenizeOnCluster()
                    ? builder.plan(wanted, new ClusterCounts(sc, 2 * workers))
                    : builder.plan(wanted);
        } catch (IllegalArgumentException e) { // a bad tap or setting, or a directory planned otherwise
            throw new CliException(SaekitCli.EXIT_USAGE, named(e.getMessage()));
        }
        double planSeconds = (System.nanoTime() - t0) / 1e9;
        describe(stdout, textModel, documents, plan.settings());
        if (store != null) {
            remote(() -> RemoteHarvest.stage(store, out()));
        }
        List<HarvestPart> todo = plan.uncommitted(out());
        stdout.printf(
                Locale.ROOT,
                "spark     %,d tokens of %,d documents in %d part(s) on %s (%d worker(s)), planned in %.1f s"
                        + " (tokenized on the %s); %d to compute, %d committed before%n",
                plan.rows(),
                plan.documents(),
                plan.parts().size(),
                spark.master(),
                workers,
                planSeconds,
                tokenizeOnCluster() ? "cluster" : "driver",
                todo.size(),
                plan.parts().size() - todo.size());
        stdout.flush();
        long t1 = System.nanoTime();
        List<double[]> done = List.of();
        if (!todo.isEmpty()) {
            int threads = threads() > 0 ? threads() : threadsPerTask(spark, workers);
            try {
                done = sc.parallelize(todo, todo.size())
                        .map(
                                store == null
                                        ? new RunPart(out().toAbsolutePath().toString(), modelSpec(), threads)
                                        : new RemoteHarvest.RunPart(
                                                store.uri(),
                                                new HadoopConf(sc.hadoopConfiguration()),
                                                modelSpec(),
                                                threads))
                        .collect();
            } catch (Exception e) { // Spark's job failures are checked exceptions Java is not told of
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        "the harvest on the cluster failed: " + SparkFailures.cause(e)
                                + "; the parts committed so far are kept: run the same command again to finish");
            }
        }
        double wall = (System.nanoTime() - t1) / 1e9;
        long t2 = System.nanoTime();
        HarvestState state;
        try {
            if (store != null) {
                remote(() -> RemoteHarvest.pullRecords(store, out(), plan));
                HarvestState[] assembled = new HarvestState[1];
                remote(() -> assembled[0] = RemoteHarvest.assemble(store, out(), plan));
                state = assembled[0];
            } else {
                state = plan.assemble(out());
            }
        } catch (IllegalStateException e) { // a part missing or damaged
            throw new CliException(SaekitCli.EXIT_INPUT, named(e.getMessage()));
        }
        double assembleSeconds = (System.nanoTime() - t2) / 1e9;
        double load = 0;
        double compute = 0;
        for (double[] d : done) {
            load += d[4];
            compute += d[3];
        }
        if (todo.isEmpty()) {
            stdout.println("complete  every part was committed before; nothing to compute");
        } else {
            stdout.printf(
                    Locale.ROOT,
                    "harvested %,d tokens in %.1f s on the cluster (%,.0f tokens/s): tasks spent %.1f s computing and"
                            + " %.1f s loading the model; assembled in %.1f s%n",
                    plan.rows(),
                    wall,
                    plan.rows() / Math.max(wall, 1e-9),
                    compute,
                    load,
                    assembleSeconds);
        }
        stdout.println("wrote     " + (store != null ? store.uri() : out()) + " ("
                + state.shards().size() + " shard"
                + (state.shards().size() == 1 ? "" : "s")
                + " per tap, manifest.json, harvest.json, tokens/)");
        return 0;
    }

    /**
     * How {@code --out} reads its value on this command: a path, or a Hadoop file system URI
     * ({@code hdfs://}, {@code s3a://}, {@code file://}, ...) that the parts are published to and
     * assembled on. For a URI, the driver's local folder of small files stands in as {@code out()}.
     */
    Path outLocation(String value) {
        if (!dev.saekit.cli.PathConverter.isUri(value)) {
            return new dev.saekit.cli.PathConverter().convert(value);
        }
        remoteOut = value;
        return Path.of(System.getProperty("java.io.tmpdir"))
                .resolve("saekit-harvest-"
                        + Long.toHexString(
                                java.util.concurrent.ThreadLocalRandom.current().nextLong()));
    }

    /** Work on the {@code --out} URI; a failure there (unreachable, refused, not writable) names it. */
    private void remote(RemoteWork work) throws CliException, IOException {
        try {
            work.run();
        } catch (IOException e) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT, "--out " + remoteOut + ": " + named(String.valueOf(e.getMessage())));
        }
    }

    private interface RemoteWork {
        void run() throws IOException;
    }

    /** {@code message} with the driver's local folder named as the URI it stands for. */
    private String named(String message) {
        return remoteOut == null || message == null ? message : message.replace(out().toString(), remoteOut);
    }

    /** Gives {@code harvest}'s {@code --out} on {@code cli} (this command) the reading {@link #outLocation} describes. */
    static void acceptUris(picocli.CommandLine cli) {
        SparkHarvestCommand command = cli.getCommand();
        picocli.CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
        picocli.CommandLine.Model.OptionSpec out = spec.findOption("--out");
        spec.remove(out);
        spec.addOption(picocli.CommandLine.Model.OptionSpec.builder(out)
                .converters(command::outLocation)
                .description("The harvest directory: a path every executor shares, or a Hadoop file system URI"
                        + " (hdfs://, s3a://, file://, ...) that parts are published to and assembled on.")
                .build());
    }

    /** ONNX Runtime threads per task when --threads is 0: the cores of this machine over local[N]'s tasks, else an executor's cores. */
    static int threadsPerTask(SparkOptions options, int workers) {
        if (options.master().startsWith("local")) {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, workers));
        }
        return Integer.parseInt(options.conf().getOrDefault("spark.executor.cores", "1"));
    }

    /** One part on an executor: opens the model, computes and commits the part; part, computed, rows, seconds, load seconds. */
    record RunPart(String dir, TextModelOption.Spec model, int threads) implements Function<HarvestPart, double[]> {
        @Override
        public double[] call(HarvestPart part) throws Exception {
            long t0 = System.nanoTime();
            try (TextModel m = model.open()) {
                double load = (System.nanoTime() - t0) / 1e9;
                HarvestPart.Result r = part.run(m, Path.of(dir), threads);
                return new double[] {r.part(), r.computed() ? 1 : 0, r.rows(), r.seconds(), load};
            }
        }
    }
}
