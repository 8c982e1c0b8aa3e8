package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/**
 * A cluster's executors get the JVM's common fork-join pool sized to their cores by default, after
 * the user's own JVM options and never instead of a parallelism the user set.
 */
class ClustersTest {
    private static final String POOL = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=";

    @Test
    void byDefaultTheExecutorsPoolHasTheExecutorsCores() {
        assertEquals(POOL + "1", Clusters.executorJavaOptions(null, null, "1"));
        assertEquals(POOL + "4", Clusters.executorJavaOptions("  ", null, "4"));

        SparkConf conf = Clusters.conf("stats", "spark://127.0.0.1:7077", Map.of());
        assertEquals(POOL + "1", conf.get("spark.executor.extraJavaOptions"));
        assertEquals("1", conf.get("spark.executorEnv.OMP_NUM_THREADS"));

        SparkConf four = Clusters.conf("stats", "yarn", Map.of("spark.executor.cores", "4"));
        assertEquals(POOL + "4", four.get("spark.executor.extraJavaOptions"));
        assertEquals("4", four.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals("4", four.get("spark.executor.cores"));
    }

    @Test
    void theUsersOptionsAreKeptAndOursAppended() {
        String user = "-Dorg.bytedeco.javacpp.maxbytes=12g -Dorg.bytedeco.javacpp.maxphysicalbytes=16g";
        assertEquals(user + " " + POOL + "2", Clusters.executorJavaOptions(user, null, "2"));

        Map<String, String> given = new LinkedHashMap<>();
        given.put("spark.executor.extraJavaOptions", user);
        given.put("spark.executor.cores", "2");
        SparkConf conf = Clusters.conf("train", "spark://127.0.0.1:7077", given);
        assertEquals(user + " " + POOL + "2", conf.get("spark.executor.extraJavaOptions"));
    }

    @Test
    void aParallelismTheUserSetIsKept() {
        String user = "-Xss4m " + POOL + "7";
        assertEquals(user, Clusters.executorJavaOptions(user, null, "2"));
        assertEquals("-Xss4m", Clusters.executorJavaOptions("-Xss4m", POOL + "3", "2"));

        Map<String, String> given = new LinkedHashMap<>();
        given.put("spark.executor.extraJavaOptions", user);
        given.put("spark.executor.cores", "2");
        SparkConf conf = Clusters.conf("encode", "k8s://https://example:6443", given);
        assertEquals(user, conf.get("spark.executor.extraJavaOptions"));

        Map<String, String> defaults = Map.of("spark.executor.defaultJavaOptions", POOL + "3");
        SparkConf byDefaults = Clusters.conf("encode", "spark://127.0.0.1:7077", defaults);
        assertFalse(byDefaults.contains("spark.executor.extraJavaOptions"));
        assertEquals(POOL + "3", byDefaults.get("spark.executor.defaultJavaOptions"));
    }

    @Test
    void aLocalMasterIsThisProcessAndGetsNoExecutorSettings() {
        SparkConf conf = Clusters.conf("stats", "local[2]", Map.of("spark.executor.cores", "2"));
        assertFalse(conf.contains("spark.executor.extraJavaOptions"));
        assertFalse(conf.contains("spark.executorEnv.OMP_NUM_THREADS"));
        assertFalse(conf.contains("spark.executor.extraClassPath"));
        assertEquals("false", conf.get("spark.ui.enabled"));
    }
}
