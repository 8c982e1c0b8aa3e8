package dev.saekit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Safetensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code saekit spark train} on {@code local[2]}: a data-parallel run equals {@code --single-process}
 * on the same global batches (float64, 1e-9 relative), writes the single-machine command's run
 * directory, and its checkpoints resume.
 */
class SparkTrainCommandTest {

    /** Runs the command line; its exit code and what it printed. */
    static Map.Entry<Integer, String> run(String... args) {
        PrintStream was = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code;
        try (PrintStream capture = new PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(capture);
            var cli = SparkMain.commandLine();
            cli.setOut(new java.io.PrintWriter(capture, true));
            cli.setErr(new java.io.PrintWriter(capture, true));
            code = cli.execute(args);
        } finally {
            System.setOut(was);
        }
        String text = buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
        System.out.println(text);
        return Map.entry(code, text);
    }

    static String[] args(Path out, String... more) {
        List<String> all = new ArrayList<>(List.of(
                "spark",
                "train",
                "--workers",
                "2",
                "--out",
                out.toString(),
                "--dtype",
                "float64",
                "--variant",
                "batchtopk",
                "--k",
                "8",
                "--concepts",
                "256",
                "--batch-size",
                "512",
                "--no-progress",
                "--top-concepts",
                "0"));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static Map<String, INDArray> weights(Path run) throws Exception {
        try (var files = Files.walk(run.resolve("model"))) {
            Path file = files.filter(p -> p.toString().endsWith(".safetensors"))
                    .findFirst()
                    .orElseThrow();
            return Safetensors.read(file);
        }
    }

    static void assertClose(Map<String, INDArray> expected, Map<String, INDArray> actual, double relative) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            INDArray e = expected.get(name).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            INDArray a = actual.get(name).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            double scale = Math.max(e.amaxNumber().doubleValue(), Double.MIN_NORMAL);
            double gap = a.sub(e).amaxNumber().doubleValue() / scale;
            assertTrue(gap <= relative, name + " differs by " + gap + " relative (allowed " + relative + ")");
        }
    }

    @Test
    void aLocalClusterRunEqualsOneProcessOnTheSameGlobalBatches(@TempDir Path tmp) throws Exception {
        Map.Entry<Integer, String> cluster = run(args(tmp.resolve("cluster"), "--epochs", "1", "--master", "local[2]"));
        assertEquals(0, cluster.getKey(), cluster.getValue());
        assertTrue(cluster.getValue().contains("spark     2 worker(s)"), cluster.getValue());
        Map.Entry<Integer, String> single = run(args(tmp.resolve("single"), "--epochs", "1", "--single-process"));
        assertEquals(0, single.getKey(), single.getValue());
        assertClose(weights(tmp.resolve("single")), weights(tmp.resolve("cluster")), 1e-9);
        assertTrue(Files.isRegularFile(tmp.resolve("cluster/metrics.json")));
        assertTrue(Files.isRegularFile(tmp.resolve("cluster/spark.json")));
        assertTrue(!Files.exists(tmp.resolve("cluster").resolve(SparkTrainCommand.STATE_DIR)));
    }

    @Test
    void oneWorkerTrainsAsOneProcess(@TempDir Path tmp) throws Exception {
        String[] one = {"--epochs", "1", "--workers", "1"};
        Map.Entry<Integer, String> cluster = run(replace(args(tmp.resolve("one"), "--master", "local[1]"), one));
        assertEquals(0, cluster.getKey(), cluster.getValue());
        assertTrue(cluster.getValue().contains("spark     1 worker(s)"), cluster.getValue());
        Map.Entry<Integer, String> single = run(replace(args(tmp.resolve("single"), "--single-process"), one));
        assertEquals(0, single.getKey(), single.getValue());
        assertClose(weights(tmp.resolve("single")), weights(tmp.resolve("one")), 0.0); // the same arithmetic
    }

    /** {@code args} with the values of {@code options} (pairs) replacing theirs, or added. */
    static String[] replace(String[] args, String... options) {
        List<String> all = new ArrayList<>(List.of(args));
        for (int i = 0; i < options.length; i += 2) {
            int at = all.indexOf(options[i]);
            if (at >= 0) {
                all.set(at + 1, options[i + 1]);
            } else {
                all.add(options[i]);
                all.add(options[i + 1]);
            }
        }
        return all.toArray(String[]::new);
    }

    @Test
    void aLostWorkerFailsTheRunWithWhatToDoAndItsCheckpointResumes(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("lost");
        String[] twoEpochs = {"--epochs", "2", "--checkpoint-every", "10", "--master", "local[2]"};
        System.setProperty(FaultInjection.PROPERTY, "1:25");
        Map.Entry<Integer, String> lost;
        try {
            lost = run(args(out, twoEpochs));
        } finally {
            System.clearProperty(FaultInjection.PROPERTY);
        }
        assertEquals(1, lost.getKey(), lost.getValue());
        String error = lost.getValue()
                .lines()
                .filter(l -> l.startsWith("saekit: error:"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(lost.getValue()));
        assertTrue(error.contains("worker 1"), error); // its own failure, or its neighbour's lost connection
        assertTrue(error.contains("step-000000020") && error.contains("--resume"), error);

        Map.Entry<Integer, String> resumed = run(
                "spark",
                "train",
                "--master",
                "local[2]",
                "--workers",
                "2",
                "--resume",
                out.resolve("checkpoints").toString(),
                "--out",
                tmp.resolve("resumed").toString(),
                "--no-progress");
        assertEquals(0, resumed.getKey(), resumed.getValue());
        assertTrue(resumed.getValue().contains("resuming at step 20"), resumed.getValue());
        Map.Entry<Integer, String> single = run(args(tmp.resolve("single"), "--epochs", "2", "--single-process"));
        assertEquals(0, single.getKey(), single.getValue());
        assertClose(weights(tmp.resolve("single")), weights(tmp.resolve("resumed")), 1e-9);
    }

    @Test
    void mistakesAreOneLineEach(@TempDir Path tmp) {
        Map.Entry<Integer, String> noOut =
                run("spark", "train", "--master", "local[2]", "--no-progress", "--epochs", "1");
        assertEquals(2, noOut.getKey(), noOut.getValue());
        assertTrue(noOut.getValue().contains("needs --out"), noOut.getValue());
        Map.Entry<Integer, String> noWorkers = run(
                "spark",
                "train",
                "--master",
                "spark://127.0.0.1:1",
                "--out",
                tmp.resolve("a").toString(),
                "--epochs",
                "1");
        assertEquals(2, noWorkers.getKey(), noWorkers.getValue());
        assertTrue(noWorkers.getValue().contains("needs --workers"), noWorkers.getValue());
        Map.Entry<Integer, String> bnWorkers =
                run(args(tmp.resolve("b"), "--epochs", "1", "--master", "local[2]", "--encoder", "mlp_bn_1"));
        assertTrue(bnWorkers.getKey() != 0, bnWorkers.getValue());
        assertTrue(bnWorkers.getValue().contains("BatchNorm"), bnWorkers.getValue());
    }
}
