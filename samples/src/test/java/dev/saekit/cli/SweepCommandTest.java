package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.Npy;
import dev.saekit.sweep.FrontierCsv;
import dev.saekit.sweep.Preprocessing;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit sweep}: a small grid on the embedded word vectors, its files, resuming, and its refusals. */
class SweepCommandTest {
    @TempDir
    static Path tmp;

    private static Path out;
    private static CliRun first;

    /** Two variants x two levels, 32 concepts, one epoch of 20 steps each. */
    private static final List<String> GRID = List.of(
            "--variants",
            "topk,vanilla",
            "--k",
            "4,8",
            "--l1",
            "1e-5,1e-3",
            "--concepts",
            "32",
            "--epochs",
            "1",
            "--batch-size",
            "512");

    private static CliRun sweep(Path dir, String... more) {
        List<String> args = new ArrayList<>(List.of("sweep", "--no-progress", "--out", dir.toString()));
        args.addAll(GRID);
        args.addAll(Arrays.asList(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @BeforeAll
    static void sweepOnce() {
        out = tmp.resolve("sweep");
        first = sweep(out);
        assertEquals(0, first.exitCode(), first.err());
    }

    @Test
    void theFrontierIsOneRowPerCellWithTheDocumentedColumns() throws IOException {
        List<String> csv = Files.readAllLines(out.resolve("frontier.csv"));
        assertEquals(String.join(",", FrontierCsv.COLUMNS), csv.get(0));
        List<String> cells = csv.stream().skip(1).map(l -> l.split(",")[0]).toList();
        assertEquals(List.of("topk-k4", "topk-k8", "vanilla-l1-1e-5", "vanilla-l1-1e-3"), cells);
        var rows = FrontierCsv.read(out.resolve("frontier.csv"));
        assertTrue(rows.get(0).l0() <= 4 && rows.get(1).l0() <= 8, first.out());
        assertTrue(rows.get(3).l0() < rows.get(2).l0(), "a larger L1 coefficient gives a smaller L0: " + first.out());
        // the table printed at the end holds every cell
        for (String level : List.of("k=4", "k=8", "l1=1e-5", "l1=1e-3")) {
            assertTrue(first.out().contains(level), first.out());
        }
        assertTrue(first.out().contains("wrote " + out.resolve("frontier.csv")), first.out());
    }

    @Test
    void theFiguresNameTheVariantsAndThePngIsAnImage() throws IOException {
        String svg = Files.readString(out.resolve("frontier-fvu.svg"));
        assertTrue(svg.startsWith("<svg"), svg);
        // the legend names each variant and each L1 cell is labelled with its coefficient, as text elements
        for (String text : List.of("topk", "vanilla", "l1=1e-5", "l1=1e-3")) {
            assertTrue(
                    java.util.regex.Pattern.compile(">\\s*" + java.util.regex.Pattern.quote(text) + "\\s*<")
                            .matcher(svg)
                            .find(),
                    text + " is not a text of the figure");
        }
        byte[] png = Files.readAllBytes(out.resolve("frontier-fvu.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertTrue(Files.notExists(out.resolve("frontier-fidelity.svg")), "no downstream columns, no fidelity plot");
    }

    @Test
    void eachCellsModelIsACheckpointThatEncodeReads() throws IOException {
        Path cell = out.resolve("cells").resolve("topk-k4");
        Checkpoint c = Checkpoints.load(cell);
        assertEquals("topk", c.spec().variant().name());
        assertTrue(c.attachments().containsKey(Preprocessing.MEAN), "the data's mean is saved with the model");
        Path rows = tmp.resolve("rows.npy");
        Npy.write(rows, new SeededRandom(5).normal(DType.FLOAT32, 0.5, 50, 100));
        Path codes = tmp.resolve("codes.npy");
        CliRun encode = CliRun.of(
                "encode",
                "--model",
                cell.toString(),
                "--data",
                rows.toString(),
                "--out",
                codes.toString(),
                "--no-progress");
        assertEquals(0, encode.exitCode(), encode.err());
        assertEquals(
                List.of(50L, 32L),
                Arrays.stream(Npy.read(codes).shape()).boxed().toList());
    }

    @Test
    void aResumedSweepTrainsNothingAgainAndWritesTheSameFrontier() throws IOException {
        Path dir = tmp.resolve("resumed");
        assertEquals(0, sweep(dir).exitCode());
        String csv = Files.readString(dir.resolve("frontier.csv"));
        Path result = dir.resolve("cells/topk-k4/result.json");
        FileTime written = Files.getLastModifiedTime(result);
        CliRun again = sweep(dir, "--resume");
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(csv, Files.readString(dir.resolve("frontier.csv")));
        assertEquals(written, Files.getLastModifiedTime(result));
        assertEquals(
                first.out().lines().filter(l -> l.startsWith("topk ")).toList().size(), 2);
    }

    @Test
    void aSweepDirectoryIsRefusedWithoutResumeAndWithOtherSettings() {
        CliRun again = sweep(out);
        assertEquals(SaekitCli.EXIT_USAGE, again.exitCode());
        assertTrue(again.err().contains("give --resume"), again.err());
        CliRun other = sweep(out, "--resume", "--lr", "1e-3");
        assertEquals(SaekitCli.EXIT_USAGE, other.exitCode());
        assertTrue(other.err().contains("--lr") && other.err().contains("0.01"), other.err());
    }

    @Test
    void anEvaluatorsColumnsAreInTheFrontierAndDrawTheFidelityFigure() throws IOException {
        // embedded by a caller (a command line with a downstream model), the command takes an evaluator
        Path dir = tmp.resolve("downstream");
        picocli.CommandLine cli = SaekitCli.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        cli.setErr(new java.io.PrintWriter(err, true));
        SweepCommand command = (SweepCommand) cli.getSubcommands().get("sweep").getCommand();
        // a stand-in for the fraction of a model's output recovered: the cosine of raw word vectors and their
        // reconstruction, each through the cell's preprocessing and back
        org.nd4j.linalg.api.ndarray.INDArray words = dev.saekit.samples.EmbeddedData.vectors()
                .get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 200),
                        org.nd4j.linalg.indexing.NDArrayIndex.all());
        command.evaluator = (model, pre, cell) -> {
            org.nd4j.linalg.api.ndarray.INDArray raw = words;
            org.nd4j.linalg.api.ndarray.INDArray back =
                    pre.restore(model.forward(pre.apply(raw)).reconstruction());
            return java.util.Map.of(
                    "fraction_recovered",
                    raw.mul(back).sumNumber().doubleValue()
                            / (raw.norm2Number().doubleValue()
                                    * back.norm2Number().doubleValue()));
        };
        List<String> args = new ArrayList<>(List.of("sweep", "--no-progress", "--out", dir.toString()));
        args.addAll(List.of(
                "--variants", "topk", "--k", "4,8", "--concepts", "32", "--epochs", "1", "--batch-size", "512"));
        assertEquals(0, cli.execute(args.toArray(String[]::new)), err.toString());
        var rows = FrontierCsv.read(dir.resolve("frontier.csv"));
        assertEquals(List.of("fraction_recovered"), FrontierCsv.downstreamColumns(rows));
        // 8 codes reconstruct better than 4, seen through the evaluator as well as through the FVU
        assertTrue(
                rows.get(1).downstream().get("fraction_recovered")
                        > rows.get(0).downstream().get("fraction_recovered"),
                rows.toString());
        assertTrue(rows.get(0).downstream().get("fraction_recovered") > 0.5, rows.toString());
        assertTrue(Files.readString(dir.resolve("frontier-fidelity.svg"))
                .contains("fraction of the model output recovered"));
        assertTrue(Files.isRegularFile(dir.resolve("frontier-fidelity.png")));
    }

    @Test
    void badGridsAreRefusedNamingTheOption() {
        Path dir = tmp.resolve("never");
        assertRefused(CliRun.of("sweep", "--out", dir.toString(), "--variants", ","), "names no variant");
        assertRefused(CliRun.of("sweep", "--out", dir.toString(), "--variants", "topk,foo"), "accepted: vanilla, topk");
        assertRefused(
                CliRun.of("sweep", "--out", dir.toString(), "--variants", "vanilla", "--k", "8"), "--k sets the k");
        assertRefused(
                CliRun.of("sweep", "--out", dir.toString(), "--variants", "topk", "--l1", "1e-4"),
                "--l1 sets the L1 coefficient");
        assertRefused(CliRun.of("sweep", "--out", dir.toString(), "--variants", "topk", "--k", "8,8"), "topk-k8 twice");
        assertRefused(
                CliRun.of("sweep", "--out", dir.toString(), "--variants", "vanilla", "--l1", "-1"),
                "--l1 values must be finite and >= 0");
        assertRefused(
                CliRun.of("sweep", "--out", dir.toString(), "--variants", "topk", "--k", "64", "--concepts", "32"),
                "--k 64 does not fit --variants topk with --concepts 32");
        assertTrue(Files.notExists(dir), "nothing is written for a refused grid");
    }

    private static void assertRefused(CliRun run, String message) {
        assertEquals(SaekitCli.EXIT_USAGE, run.exitCode(), run.err());
        assertTrue(run.err().contains(message), run.err());
    }
}
