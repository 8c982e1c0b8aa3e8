package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.MemoryBudget;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A run too large for the memory it may use ends with one line and exit code 4: refused by the
 * estimate before training, or by JavaCPP's cap on the way, never a stack trace or the kernel.
 */
class MemoryErrorsTest {
    /** Runs {@code args} in this JVM with {@code -Dsaekit.memory.limit=limit}. */
    private static CliRun withLimit(String limit, String... args) {
        String was = System.getProperty(MemoryBudget.LIMIT_PROPERTY);
        System.setProperty(MemoryBudget.LIMIT_PROPERTY, limit);
        try {
            return CliRun.of(args);
        } finally {
            if (was == null) {
                System.clearProperty(MemoryBudget.LIMIT_PROPERTY);
            } else {
                System.setProperty(MemoryBudget.LIMIT_PROPERTY, was);
            }
        }
    }

    @Test
    void aBenchOverTheLimitIsRefusedBeforeTrainingInOneLine() {
        CliRun run = withLimit("64m", "bench", "--input", "16", "--concepts", "64", "--batch", "32", "--steps", "1");
        assertEquals(4, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.errLines().size(), run.err());
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("saekit: error: not enough memory: training needs about "), line);
        assertTrue(line.contains("but 64 MiB (-Dsaekit.memory.limit=64m) is available; use a smaller batch"), line);
    }

    @Test
    void aTrainingOverTheLimitIsRefusedBeforeItsFirstStep() {
        CliRun run = withLimit("100m", "train", "--epochs", "1", "--concepts", "64", "--no-progress");
        assertEquals(4, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().get(0).startsWith("saekit: error: not enough memory: training needs about "), run.err());
        assertFalse(run.out().contains("metrics over"), run.out());
    }

    @Test
    void anOutOfMemoryErrorHoweverWrappedIsOneLineWithWhatToDo() {
        OutOfMemoryError javacpp = new OutOfMemoryError("Cannot allocate new LongPointer(2): totalBytes = 256, physicalBytes = 608M");
        javacpp.initCause(new OutOfMemoryError("Physical memory usage is too high: physicalBytes (608M) > maxPhysicalBytes (600M)"));
        for (Throwable thrown : List.of(javacpp, new IllegalStateException("op failed", javacpp), new RuntimeException(javacpp))) {
            StringWriter err = new StringWriter();
            int code = Cli.run(spec(err), () -> {
                if (thrown instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) thrown;
            });
            assertEquals(4, code);
            assertEquals("saekit: error: out of memory (Physical memory usage is too high: physicalBytes (608M) > "
                    + "maxPhysicalBytes (600M)); use a smaller batch, fewer concepts or float32 instead of float64, or give the "
                    + "process more memory and raise -Dorg.bytedeco.javacpp.maxphysicalbytes=SIZE (saekit sets it from the "
                    + "memory it finds)", err.toString().strip());
        }
        StringWriter err = new StringWriter();
        assertEquals(4, Cli.run(spec(err), () -> {
            throw new OutOfMemoryError("Java heap space");
        }));
        assertTrue(err.toString().strip().endsWith("raise the Java heap: -Xmx"), err.toString());
    }

    private static CommandLine.Model.CommandSpec spec(StringWriter err) {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setErr(new PrintWriter(err, true));
        return cl.getCommandSpec();
    }

    /**
     * The real thing in a child JVM: {@code main} caps JavaCPP at 700 MiB less 175 MiB, the
     * benchmark's shapes need about 1.2 GiB, and with the estimate off JavaCPP refuses an
     * allocation on the way.
     */
    @Test
    void aRealOutOfMemoryErrorEndsTheProcessWithOneLine() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dsaekit.memory.limit=700m", "-Dsaekit.memory.check=false", "-cp", System.getProperty("java.class.path"),
                SaekitCli.class.getName(), "bench", "--steps", "1", "--warmup", "0")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not end");
        assertEquals(4, child.exitValue(), err);
        List<String> errors = err.lines().filter(l -> l.startsWith("saekit: error:")).toList();
        assertEquals(1, errors.size(), err);
        assertTrue(errors.get(0).startsWith("saekit: error: out of memory (Physical memory usage is too high: physicalBytes ("), err);
        assertTrue(errors.get(0).contains("> maxPhysicalBytes (525M)); use a smaller batch"), err);
        assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), err);
    }
}
