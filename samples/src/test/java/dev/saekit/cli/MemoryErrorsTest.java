package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.MemoryBudget;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        assertTrue(
                run.errLines().get(0).startsWith("saekit: error: not enough memory: training needs about "), run.err());
        assertFalse(run.out().contains("metrics over"), run.out());
    }

    /**
     * A model whose arrays or steps are beyond what one array holds is refused before it is built, in
     * a child JVM whose peak resident memory shows it: these used to end in an integer overflow or an
     * index error after gigabytes were allocated.
     */
    @Test
    void arraysBeyondOneArraysSizeAreRefusedBeforeAnythingLargeIsAllocated() throws Exception {
        String[][] cases = {
            {"train", "--concepts", "4000000", "--dtype", "float64", "--no-progress"},
            {"train", "--variant", "topk", "--concepts", "4000000", "--no-progress"},
            {"bench", "--concepts", "4000000"},
            {"bench", "--concepts", "600000", "--batch", "4096"}
        };
        String[] expected = {
            "the model's encoder.final_block.0.weight [4000000, 100] float64 would be 2.98 GiB",
            "one step's codes [256, 4000000] float32 would be 3.81 GiB",
            "the model's encoder.final_block.0.weight [4000000, 768] float32",
            "one step's codes [4096, 600000] float32 would be 9.16 GiB"
        };
        for (int i = 0; i < cases.length; i++) {
            Child child = Child.run(cases[i]);
            assertEquals(SaekitCli.EXIT_USAGE, child.exitCode(), child.err());
            assertEquals(1, child.errors().size(), child.err());
            assertTrue(child.errors().get(0).contains(expected[i]), child.err());
            // the JVM and ND4J's libraries take about 150 MiB; a model of 4,000,000 concepts would take gigabytes
            assertTrue(child.peakRssMb() < 600, String.join(" ", cases[i]) + " reached " + child.peakRssMb() + " MiB");
        }
        // wide data: the model's arrays are checked from the file's header, before its 160 MB of values are read
        Path wide = Files.createTempDirectory("saekit-wide").resolve("wide.npy");
        try {
            byte[] header = npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 20000000), }");
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(wide.toFile(), "rw")) {
                f.write(header);
                f.setLength(header.length + 2L * 20_000_000 * 4); // a sparse file: no disk taken
            }
            Child wideRun = Child.run(
                    "train",
                    "--data",
                    wide.toString(),
                    "--concepts",
                    "64",
                    "--out",
                    wide.resolveSibling("run").toString(),
                    "--no-progress");
            assertEquals(SaekitCli.EXIT_USAGE, wideRun.exitCode(), wideRun.err());
            assertEquals(
                    List.of("saekit: error: --concepts 64, --batch-size 256: the model's encoder.final_block.0.weight "
                            + "[64, 20000000] float32 would be 4.77 GiB, more than the 2.00 GiB one array may hold; at most 26 along its "
                            + "first axis fit: use fewer concepts"),
                    wideRun.errors());
            assertTrue(wideRun.peakRssMb() < 600, "wide data reached " + wideRun.peakRssMb() + " MiB");
        } finally {
            Files.deleteIfExists(wide);
            Files.deleteIfExists(wide.getParent());
        }
        Child hugeBatch = Child.run(
                "train", "--batch-size", "2147483647", "--epochs", "1", "--no-progress", "--top-concepts", "0");
        assertEquals(0, hugeBatch.exitCode(), "a batch larger than the data is the whole data: " + hugeBatch.err());
    }

    /** A version-1.0 {@code .npy} header for {@code dict}, padded to a multiple of 64 bytes. */
    private static byte[] npyHeader(String dict) {
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        String padded = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(total).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0)
                .putShort((short) (total - 10));
        b.put(padded.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** The saekit command in a child JVM, with its peak resident memory (VmHWM) printed by a wrapper. */
    private record Child(int exitCode, String err, long peakRssMb) {
        static Child run(String... args) throws Exception {
            java.util.List<String> cmd = new java.util.ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    PeakRss.class.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the child did not end");
            long peak = err.lines()
                    .filter(l -> l.startsWith("peak-rss-mb "))
                    .mapToLong(l -> Long.parseLong(l.substring(12)))
                    .findFirst()
                    .orElse(-1);
            String rest = String.join(
                    "\n", err.lines().filter(l -> !l.startsWith("peak-rss-mb ")).toList());
            return new Child(p.exitValue(), rest, peak);
        }

        List<String> errors() {
            return err.lines().filter(l -> l.startsWith("saekit: error:")).toList();
        }
    }

    /** Runs saekit's command line as {@code main} does, then prints the peak resident memory on stderr. */
    public static final class PeakRss {
        public static void main(String[] args) {
            MemoryBudget.limitJavaCppToAvailableMemory();
            int code = SaekitCli.commandLine().execute(args);
            System.err.println("peak-rss-mb " + (MemoryBudget.peakResidentBytes() >> 20));
            System.exit(code);
        }
    }

    @Test
    void anOutOfMemoryErrorHoweverWrappedIsOneLineWithWhatToDo() {
        OutOfMemoryError javacpp =
                new OutOfMemoryError("Cannot allocate new LongPointer(2): totalBytes = 256, physicalBytes = 608M");
        javacpp.initCause(new OutOfMemoryError(
                "Physical memory usage is too high: physicalBytes (608M) > maxPhysicalBytes (600M)"));
        for (Throwable thrown :
                List.of(javacpp, new IllegalStateException("op failed", javacpp), new RuntimeException(javacpp))) {
            StringWriter err = new StringWriter();
            int code = Cli.run(spec(err), () -> {
                if (thrown instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) thrown;
            });
            assertEquals(4, code);
            assertEquals(
                    "saekit: error: out of memory (Physical memory usage is too high: physicalBytes (608M) > "
                            + "maxPhysicalBytes (600M)); use a smaller batch, fewer concepts or float32 instead of float64, or give the "
                            + "process more memory and raise -Dorg.bytedeco.javacpp.maxphysicalbytes=SIZE (saekit sets it from the "
                            + "memory it finds)",
                    err.toString().strip());
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
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-Dsaekit.memory.limit=700m",
                        "-Dsaekit.memory.check=false",
                        "-cp",
                        System.getProperty("java.class.path"),
                        SaekitCli.class.getName(),
                        "bench",
                        "--steps",
                        "1",
                        "--warmup",
                        "0")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not end");
        assertEquals(4, child.exitValue(), err);
        List<String> errors =
                err.lines().filter(l -> l.startsWith("saekit: error:")).toList();
        assertEquals(1, errors.size(), err);
        assertTrue(
                errors.get(0)
                        .startsWith("saekit: error: out of memory (Physical memory usage is too high: physicalBytes ("),
                err);
        assertTrue(errors.get(0).contains("> maxPhysicalBytes (525M)); use a smaller batch"), err);
        assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), err);
    }
}
