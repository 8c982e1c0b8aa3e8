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
 * the same path on every machine, nothing copied), run ND4J's BLAS with as many threads as an
 * executor has cores ({@code spark.executorEnv.OMP_NUM_THREADS}), and size the JVM's common
 * fork-join pool, where saekit's own kernels run, to those cores too: {@code
 * -Djava.util.concurrent.ForkJoinPool.common.parallelism=CORES} in {@code
 * spark.executor.extraJavaOptions}. A {@code --conf spark.executor.extraJavaOptions=...} keeps its
 * options and gets that one appended, unless it (or {@code spark.executor.defaultJavaOptions}) sets
 * the parallelism itself. {@code CORES} is {@code spark.executor.cores} as given by {@code --conf},
 * else 1 (Spark's default for YARN and Kubernetes; a standalone cluster gives an executor all of its
 * worker's cores unless it is set).
 */
public final class Clusters {
    private Clusters() {}

    /** The JVM property that sizes the common fork-join pool, where saekit's kernels run. */
    static final String POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    /** A session for {@code what} on {@code options.master()}. */
    public static SparkSession session(String what, SparkOptions options) {
        SparkSession session = SparkSession.builder()
                .config(conf(what, options.master(), options.conf()))
                .getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        return session;
    }

    /**
     * The settings of a session for {@code what} on {@code master}: the user's {@code conf} (and
     * any {@code spark.*} system properties, as a {@link SparkConf} reads them), and saekit's
     * defaults for what they leave out; {@code spark.executor.extraJavaOptions} gets the pool's
     * parallelism appended unless the user's options set it.
     */
    static SparkConf conf(String what, String master, Map<String, String> conf) {
        SparkConf c = new SparkConf().setAppName("saekit " + what).setMaster(master);
        c.set("spark.ui.enabled", "false");
        c.set("spark.ui.showConsoleProgress", "false");
        for (Map.Entry<String, String> e : conf.entrySet()) {
            c.set(e.getKey(), e.getValue());
        }
        if (!master.startsWith("local")) {
            String cores = c.get("spark.executor.cores", "1");
            setUnlessGiven(c, "spark.executor.extraClassPath", driverClassPath());
            setUnlessGiven(c, "spark.executorEnv.OMP_NUM_THREADS", cores);
            String javaOptions = executorJavaOptions(
                    c.get("spark.executor.extraJavaOptions", null),
                    c.get("spark.executor.defaultJavaOptions", null),
                    cores);
            if (!javaOptions.isEmpty()) {
                c.set("spark.executor.extraJavaOptions", javaOptions);
            }
        }
        return c;
    }

    private static void setUnlessGiven(SparkConf c, String key, String value) {
        if (!c.contains(key)) {
            c.set(key, value);
        }
    }

    /**
     * An executor's extra JVM options: the user's {@code extra} (null or blank: none) and, unless
     * they or the user's {@code defaults} set it, the common fork-join pool's parallelism at {@code
     * cores}.
     */
    static String executorJavaOptions(String extra, String defaults, String cores) {
        String given = extra == null ? "" : extra.strip();
        if (given.contains("-D" + POOL_PARALLELISM)
                || (defaults != null && defaults.contains("-D" + POOL_PARALLELISM))) {
            return given;
        }
        String ours = "-D" + POOL_PARALLELISM + "=" + cores.strip();
        return given.isEmpty() ? ours : given + " " + ours;
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
