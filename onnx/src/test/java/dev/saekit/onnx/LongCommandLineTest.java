package dev.saekit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29.0 crashes the JVM (SIGSEGV, exit 139) when its environment is made on an
 * ordinary thread and the command line is longer than about 4 KB; {@link OrtSessions} makes it on
 * a thread with a large stack. A child JVM with a 64 KB command line must run a model.
 */
class LongCommandLineTest {
    @TempDir
    Path dir;

    /** Opens the model named by the first argument, taps {@code hidden}, runs it and prints the tap. */
    public static void main(String[] args) throws IOException {
        try (OnnxTaps taps = OnnxTaps.open(Path.of(args[0]), List.of("hidden"))) {
            FloatTensor x = FloatTensor.of(new float[] {1, 2, 3, 4}, 1, 4);
            float[] hidden = taps.run(Map.of("x", x)).get("hidden").data();
            System.out.println(hidden[0] + " " + hidden[1] + " " + hidden[2]);
        }
    }

    @Test
    void aModelRunsUnderALongCommandLine() throws Exception {
        Path model = Files.write(dir.resolve("mlp.onnx"), TinyModels.mlp());
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String padding = (File.pathSeparator + dir.resolve("no-such-dir-" + "x".repeat(100))).repeat(640); // ~64 KB
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        classPath + padding,
                        LongCommandLineTest.class.getName(),
                        model.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), output);
        assertEquals("4.0 0.0 2.0", output.strip().lines().reduce((a, b) -> b).orElse(""), output);
    }
}
