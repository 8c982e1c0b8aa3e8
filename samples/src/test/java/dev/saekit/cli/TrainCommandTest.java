package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import dev.saekit.train.listeners.MetricHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code saekit train}, run in-process on the embedded data and on small files. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    @Test
    void topKTrainsWithAuxKByDefaultAndManyDeadConceptsEndWithAHintNamingTheOptions() throws IOException {
        CliRun plain = CliRun.of(
                "train",
                "--variant",
                "topk",
                "--k",
                "2",
                "--concepts",
                "1024",
                "--epochs",
                "2",
                "--aux",
                "none",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                tmp.resolve("none").toString());
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(plain.out().contains("loss mse, seed"), plain.out());
        assertTrue(
                plain.out().contains("hint: ")
                        && plain.out().contains("never fired on the data (dead). Try --aux auxk")
                        && plain.out().contains("--scale auto"),
                plain.out());

        CliRun byDefault = CliRun.of(
                "train",
                "--variant",
                "topk",
                "--k",
                "2",
                "--concepts",
                "1024",
                "--epochs",
                "2",
                "--aux-window",
                "20",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                tmp.resolve("auxk").toString());
        assertEquals(0, byDefault.exitCode(), byDefault.err());
        assertTrue(byDefault.out().contains("loss mse + auxk(kAux=input/2, coefficient=0.03125)"), byDefault.out());
        double deadWithout = new ObjectMapper()
                .readTree(tmp.resolve("none/metrics.json").toFile())
                .get("dead_fraction")
                .asDouble();
        double deadWith = new ObjectMapper()
                .readTree(tmp.resolve("auxk/metrics.json").toFile())
                .get("dead_fraction")
                .asDouble();
        assertTrue(
                deadWith < deadWithout,
                "AuxK revives concepts: dead " + deadWith + " with it, " + deadWithout + " without");
    }

    @Test
    void theDeadHintAppearsAboveItsThresholdOnlyAndFitsTheAuxiliaryLoss() {
        assertTrue(
                TrainCommand.deadHint(TrainCommand.DEAD_HINT_THRESHOLD, "none").isEmpty());
        assertTrue(TrainCommand.deadHint(Double.NaN, "none").isEmpty());
        assertEquals(
                "hint: 25.0% of the concepts never fired on the data (dead). Try --aux auxk (dead concepts learn to explain the "
                        + "residual), a higher --lr, inputs near unit scale (--scale auto), or fewer --concepts.",
                TrainCommand.deadHint(0.25, "none").orElseThrow());
        assertTrue(TrainCommand.deadHint(0.25, "auxk_sparsify").orElseThrow().contains("a shorter --aux-window"));
    }

    @Test
    void trainsOnTheEmbeddedDataAndWritesTheRun() throws IOException {
        Path out = tmp.resolve("run");
        CliRun run = CliRun.of("train", "--epochs", "2", "--concepts", "64", "--no-progress", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().contains("10000 rows x 100"), run.out());
        assertTrue(run.out().contains("concept "), "the concept report:\n" + run.out());

        JsonNode metrics =
                new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        for (String key : List.of(
                "r2",
                "explained_variance",
                "fvu",
                "mse",
                "l0",
                "l0_fraction",
                "dead_fraction",
                "cosine_similarity",
                "hoyer",
                "kappa4",
                "steps",
                "seconds")) {
            assertTrue(metrics.has(key), key + " missing from " + metrics);
            assertTrue(Double.isFinite(metrics.get(key).asDouble()), key + " = " + metrics.get(key));
        }
        assertTrue(metrics.get("r2").asDouble() > 0, "r2 = " + metrics.get("r2"));
        assertEquals("completed", metrics.get("status").asText());
        assertEquals(2, metrics.get("epochs").asInt());
        assertEquals(2 * 40, metrics.get("steps").asInt()); // 10,000 rows in batches of 256
        assertTrue(metrics.get("data").get("description").asText().contains("GloVe"));

        MetricHistory history = MetricHistory.read(out.resolve("history"));
        assertEquals(80, history.steps().size());
        assertEquals(2, history.epochs().size());

        Checkpoint saved = Checkpoints.load(out.resolve("model"));
        assertEquals(100, saved.spec().sae().inputDim());
        assertEquals(64, saved.spec().sae().nbConcepts());
        assertEquals(2, saved.training().get("epochs").asInt());
        assertEquals(80, saved.progress().step());
        List<Parameter> params = run.train().trained.parameters();
        assertFalse(params.isEmpty());
        for (Parameter p : params) {
            assertEquals(
                    p.value(),
                    saved.model().parameter(p.name()).orElseThrow().value(),
                    p.name()); // dtype, shape, values
        }
        INDArray mean = saved.attachments().get(RunFiles.MEAN_ATTACHMENT);
        assertArrayEquals(new long[] {100}, mean.shape());
    }

    @Test
    void flattensTokenArraysAndReportsConceptsWithTheGivenLabels() throws IOException {
        Path data = tmp.resolve("tokens.npy");
        Npy.write(data, ramp(4, 5, 3)); // [n, t, d]: 20 rows of width 3 with --row-axes 2
        Path labels = tmp.resolve("labels.txt");
        Files.writeString(
                labels, IntStream.range(0, 20).mapToObj(i -> "tok" + i).collect(Collectors.joining("\n")));
        CliRun run = CliRun.of(
                "train",
                "--data",
                data.toString(),
                "--row-axes",
                "2",
                "--labels",
                labels.toString(),
                "--concepts",
                "6",
                "--epochs",
                "2",
                "--batch-size",
                "8",
                "--no-progress",
                "--top-concepts",
                "2",
                "--top-words",
                "3");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("flattened [4, 5, 3] to 20 rows x 3, float32"), run.out());
        assertTrue(run.out().contains(": tok"), "labels in the concept report:\n" + run.out());
    }

    @Test
    void aMissingDataFileIsOneErrorLineNamingIt() {
        Path missing = tmp.resolve("no-such-file.npy");
        CliRun run = CliRun.of("train", "--data", missing.toString(), "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(List.of("saekit: error: file not found: " + missing), run.errLines());
    }

    @Test
    void aMalformedFileIsOneErrorLineFromTheReader() throws IOException {
        Path bad = tmp.resolve("bad.npy");
        Files.writeString(bad, "not numpy at all");
        CliRun run = CliRun.of("train", "--data", bad.toString(), "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("saekit: error: " + bad + ": not a .npy file"), run.err());
    }

    @Test
    void aVectorIsOneColumnAsInEveryReader() throws IOException {
        Path vector = tmp.resolve("vector.npy");
        Npy.write(vector, ramp(7));
        CliRun run =
                CliRun.of("train", "--data", vector.toString(), "--no-progress", "--epochs", "1", "--concepts", "4");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("data      " + vector + ": [7] as 7 rows x 1, float32"), run.out());
    }

    @Test
    void aNaNIsReportedByRowAndColumn() throws IOException {
        INDArray x = ramp(5, 3);
        x.putScalar(new long[] {2, 1}, Double.NaN);
        Path file = tmp.resolve("nan.npy");
        Npy.write(file, x);
        CliRun run = CliRun.of("train", "--data", file.toString(), "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains("NaN at row 2, column 1"), run.err());
    }

    @Test
    void labelsMustMatchTheRows() throws IOException {
        Path data = tmp.resolve("x.npy");
        Npy.write(data, ramp(5, 3));
        Path labels = tmp.resolve("labels.txt");
        Files.writeString(labels, "a\nb\n");
        CliRun run = CliRun.of("train", "--data", data.toString(), "--labels", labels.toString(), "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(
                List.of("saekit: error: --labels " + labels + " has 2 lines but " + data + " has 5 rows"),
                run.errLines());
    }

    @Test
    void badOptionValuesAreOneLineThatNamesTheOption() {
        CliRun encoder = CliRun.of("train", "--encoder", "mlp_xx_2", "--no-progress");
        assertEquals(SaekitCli.EXIT_USAGE, encoder.exitCode());
        assertEquals(
                List.of("saekit: error: --encoder: unknown encoder 'mlp_xx_2'; accepted: identity, linear, mlp_ln_1,"
                        + " mlp_ln_3, mlp_bn_1, mlp_bn_3"),
                encoder.errLines());
        CliRun concepts = CliRun.of("train", "--concepts", "0");
        assertEquals(List.of("saekit: error: --concepts must be > 0, was 0"), concepts.errLines());
        CliRun schedule = CliRun.of("train", "--schedule", "step");
        assertEquals(
                List.of("saekit: error: --schedule: unknown schedule 'step'; accepted: constant, cosine, linear"),
                schedule.errLines());
        CliRun notANumber = CliRun.of("train", "--lr", "fast");
        assertEquals(2, notANumber.exitCode()); // picocli's own conversion error
    }

    @Test
    void aDivergedRunPrintsTheAdviceAndExits3() throws IOException {
        Path data = tmp.resolve("x.npy");
        Npy.write(data, ramp(64, 4));
        Path out = tmp.resolve("run");
        CliRun run = CliRun.of(
                "train",
                "--data",
                data.toString(),
                "--lr",
                "1e30",
                "--clip",
                "0",
                "--loss",
                "mse",
                "--schedule",
                "constant",
                "--epochs",
                "3",
                "--batch-size",
                "16",
                "--no-progress",
                "--out",
                out.toString());
        assertEquals(SaekitCli.EXIT_DIVERGED, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("saekit: error: training diverged at step"), run.err());
        JsonNode metrics =
                new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals("diverged", metrics.get("status").asText());
        assertNotNull(metrics.get("message"));
    }

    /** {@code shape} filled with {@code sin(i)}: varied, finite, float32. */
    private static INDArray ramp(long... shape) {
        double[] v = new double[(int) Tensors.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(i);
        }
        return Tensors.fromFlat(DType.FLOAT32, v, shape);
    }

    @org.junit.jupiter.api.Test
    void labelsThatAreNotTextNameTheLabelsFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        java.nio.file.Path data = tmp.resolve("x.npy");
        dev.saekit.io.Npy.write(
                data, new dev.saekit.tensor.SeededRandom(2).normal(dev.saekit.tensor.DType.FLOAT32, 1.0, 20, 4));
        java.nio.file.Path labels = tmp.resolve("labels.txt");
        java.nio.file.Files.write(labels, new byte[] {'a', '\n', (byte) 0xC3, 0x28, '\n'});
        CliRun run = CliRun.of(
                "train", "--data", data.toString(), "--labels", labels.toString(), "--no-progress", "--epochs", "1");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(
                java.util.List.of("saekit: error: --labels " + labels
                        + " is not UTF-8 text (byte 0xc3 at offset 2); give a text " + "file of one label per line"),
                run.errLines());
    }

    @org.junit.jupiter.api.Test
    void scaleAutoPutsTheInputsNearUnitScaleAndSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        java.nio.file.Path data = tmp.resolve("pixels.npy");
        dev.saekit.io.Npy.write(
                data, new dev.saekit.tensor.SeededRandom(3).normal(dev.saekit.tensor.DType.FLOAT32, 80.0, 200, 6));
        CliRun run = CliRun.of(
                "train",
                "--data",
                data.toString(),
                "--scale",
                "auto",
                "--no-progress",
                "--epochs",
                "1",
                "--out",
                tmp.resolve("run").toString());
        assertEquals(0, run.exitCode(), run.err());
        String dataLine =
                run.out().lines().filter(l -> l.startsWith("data ")).findFirst().orElseThrow();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "scaled by ([0-9.e-]+) \\(--scale auto: 1 / root mean square ([0-9.]+)\\)")
                .matcher(dataLine);
        assertTrue(m.find(), dataLine);
        double rms = Double.parseDouble(m.group(2));
        assertTrue(rms > 60 && rms < 100, "the values' spread is about 80: " + dataLine);
        dev.saekit.io.Checkpoint c =
                dev.saekit.io.Checkpoints.load(tmp.resolve("run").resolve("model"));
        assertEquals(
                Double.parseDouble(m.group(1)),
                c.attachments().get(TrainingData.SCALE_ATTACHMENT).getDouble(0),
                Double.parseDouble(m.group(1)) * 1e-5,
                "the factor is saved with the model (printed to 6 digits)");
        CliRun bad = CliRun.of("train", "--data", data.toString(), "--scale", "-2", "--no-progress");
        assertEquals(
                java.util.List.of("saekit: error: --scale: must be a finite number > 0 or auto, was -2"),
                bad.errLines());
    }
}
