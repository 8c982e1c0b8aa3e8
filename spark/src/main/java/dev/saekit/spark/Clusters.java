package dev.saekit.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a {@code saekit spark} command. saekit's defaults, each overridden by a
 * {@code --conf} of the same key: no web UI; for a cluster, executors load saekit from the
 * driver's own class path ({@code spark.executor.extraClassPath}: the same jar and {@code lib/} at
 * the same path on every machine, nothing copied) and run ND4J's BLAS with as many threads as an
 * executor has cores.
 */
public final class Clusters {
    private Clusters() {}

    /** A session for {@code what} on {@code options.master()}. */
    public static SparkSession session(String what, SparkOptions options) {
        SparkConf conf = new SparkConf().setAppName("saekit " + what).setMaster(options.master());
        conf.set("spark.ui.enabled", "false");
        conf.set("spark.ui.showConsoleProgress", "false");
        if (!options.master().startsWith("local")) {
            conf.set("spark.executor.extraClassPath", driverClassPath());
            String cores = options.conf().getOrDefault("spark.executor.cores", "1");
            conf.set("spark.executorEnv.OMP_NUM_THREADS", cores);
        }
        for (Map.Entry<String, String> e : options.conf().entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        return session;
    }

    /** The Java context of {@code session}. */
    public static JavaSparkContext context(SparkSession session) {
        return JavaSparkContext.fromSparkContext(session.sparkContext());
    }

    /**
     * The tasks that can run at once: {@code options.workers()} when given, else the context's
     * default parallelism (N of local[N], a cluster's executor cores).
     */
    public static int workers(SparkOptions options, JavaSparkContext sc) throws dev.saekit.cli.CliException {
        if (options.workers() != null && options.workers() < 1) {
            throw new dev.saekit.cli.CliException(
                    dev.saekit.cli.SaekitCli.EXIT_USAGE, "--workers must be >= 1, was " + options.workers());
        }
        return options.workers() != null ? options.workers() : sc.defaultParallelism();
    }

    /**
     * What executors put on their class path to load saekit: this jar and the {@code lib/} beside it
     * when the driver runs from {@code saekit-spark.jar}, else the driver's class path as it is.
     */
    static String driverClassPath() {
        try {
            Path self = Path.of(Clusters.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
                Path lib = self.toAbsolutePath().getParent().resolve("lib");
                return self.toAbsolutePath() + java.io.File.pathSeparator + lib + java.io.File.separator + "*";
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the class path as given
        }
        return System.getProperty("java.class.path");
    }
}
