package dev.saekit.spark;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every {@code saekit spark} command adds to its single-machine command's. */
public final class SparkOptions {
    @Option(
            names = "--master",
            paramLabel = "URL",
            defaultValue = "local[2]",
            description = "Where to run: local[N] (N threads in this process), spark://HOST:PORT (a standalone"
                    + " cluster), yarn, k8s://... Default: ${DEFAULT-VALUE}.")
    String master;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Tasks that work at once (for training: the data-parallel workers, each one task slot)."
                    + " Default: N of local[N], else the cluster's total executor cores when the job starts.")
    Integer workers;

    @Option(
            names = "--conf",
            paramLabel = "KEY=VALUE",
            description =
                    "A Spark setting, as spark-submit's --conf (repeatable), e.g."
                            + " spark.executor.memory=8g or spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=16g.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(
            names = "--allreduce-timeout",
            paramLabel = "SECONDS",
            defaultValue = "600",
            description = "How long a training worker waits for its neighbour's gradients before it reports the"
                    + " neighbour lost. Default: ${DEFAULT-VALUE}.")
    long allReduceTimeoutSeconds;

    /** The master URL. */
    public String master() {
        return master;
    }

    /** The worker count asked for, or null to take the cluster's. */
    public Integer workers() {
        return workers;
    }

    /** The extra Spark settings. */
    public Map<String, String> conf() {
        return conf;
    }

    /** How long a worker waits for its neighbour in an all-reduce. */
    public Duration allReduceTimeout() {
        return Duration.ofSeconds(allReduceTimeoutSeconds);
    }
}
