package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.ActivationManifest;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.Npy;
import dev.saekit.io.Safetensors;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.LossSpec;
import dev.saekit.train.Losses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code saekit train --coder}: transcoders, skip transcoders and crosscoders trained from .npy and
 * safetensors files and from the taps of a harvest directory (streamed), resumed, evaluated on rows
 * and encoded; and every option that cannot apply to them refused in one line.
 */
class CoderCommandsTest {
    private static final int ROWS = 240;
    private static final int IN = 8;
    private static final int OUT = 6;
    private static final int LAYER = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** x [240, 8] and y = x A [240, 6]: a target a transcoder can learn. */
    private static INDArray[] inputAndTarget() {
        INDArray x = new SeededRandom(1).normal(DType.FLOAT64, 1.0, ROWS, IN);
        INDArray a = new SeededRandom(2).normal(DType.FLOAT64, 0.5, IN, OUT);
        return new INDArray[] {x, x.mmul(a)};
    }

    /** Two layers [240, 5] each, the second a noisy copy of the first's shape, for a crosscoder. */
    private static INDArray[] layers() {
        INDArray a = new SeededRandom(3).normal(DType.FLOAT64, 1.0, ROWS, LAYER);
        INDArray b = a.mul(0.5).addi(new SeededRandom(4).normal(DType.FLOAT64, 0.1, ROWS, LAYER));
        return new INDArray[] {a, b};
    }

    private static Path npy(Path dir, String file, INDArray m) throws IOException {
        Path p = dir.resolve(file);
        Npy.write(p, m.castTo(DataType.FLOAT));
        return p;
    }

    /** A harvest directory whose taps ({@code name -> rows}) are cut into 3 shards of 80 rows each. */
    private static Path harvest(Path dir, Map<String, INDArray> taps) throws IOException {
        List<ActivationManifest.Tap> manifest = new ArrayList<>();
        for (Map.Entry<String, INDArray> t : taps.entrySet()) {
            String sub = t.getKey().replace(':', '_');
            Path tapDir = Files.createDirectories(dir.resolve(sub));
            List<ActivationManifest.Shard> shards = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                String file = String.format("shard-%05d.npy", s);
                INDArray rows = t.getValue()
                        .get(
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(s * 80, (s + 1) * 80),
                                org.nd4j.linalg.indexing.NDArrayIndex.all());
                Npy.write(tapDir.resolve(file), rows.castTo(DataType.FLOAT).dup('c'));
                shards.add(new ActivationManifest.Shard(file, 80));
            }
            manifest.add(new ActivationManifest.Tap(
                    t.getKey(),
                    sub,
                    "[?, " + t.getValue().columns() + "]",
                    (int) t.getValue().columns(),
                    ROWS,
                    0,
                    shards));
        }
        new ActivationManifest(
                        ActivationManifest.FORMAT_VERSION, true, "m.onnx", "0", "text", ROWS, 80, 1, manifest, Map.of())
                .write(dir);
        return dir;
    }

    private static String[] args(String... a) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of("--no-progress", "--top-concepts", "0", "--concepts", "16", "--batch-size", "40"));
        return all.toArray(String[]::new);
    }

    /** The model's output for {@code x}, in float64. */
    private static INDArray predict(SparseAutoencoder m, INDArray x) {
        m.eval();
        return m.forward(x.castTo(m.dtype().nd4j()))
                .reconstruction()
                .castTo(DataType.DOUBLE)
                .dup();
    }

    private static double mse(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() * a.sub(b).norm2Number().doubleValue() / a.length();
    }

    @Test
    void aTranscoderTrainsOnTwoNpyFilesAndItsMetricsCompareItsPredictionWithTheTarget(@TempDir Path tmp)
            throws IOException {
        INDArray[] xy = inputAndTarget();
        Path x = npy(tmp, "x.npy", xy[0]);
        Path y = npy(tmp, "y.npy", xy[1]);
        Path run = tmp.resolve("run");
        CliRun train = CliRun.of(args(
                "train",
                "--coder",
                "transcoder",
                "--data",
                x.toString(),
                "--target",
                y.toString(),
                "--variant",
                "topk",
                "--k",
                "3",
                "--epochs",
                "6",
                "--dtype",
                "float64",
                "--out",
                run.toString()));
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(train.out().contains("side by side (input | target)"), train.out());

        Checkpoint saved = Checkpoints.load(run.resolve("model"));
        SparseAutoencoder m = saved.model();
        assertEquals(new CoderSpec.Transcoder(OUT, false), m.coder());
        assertEquals(IN, m.inputDim());
        JsonNode config = JSON.readTree(saved.dir().resolve("config.json").toFile());
        assertTrue(config.toString().contains("\"transcoder\""), "config.json records the coder: " + config);

        // the float32 file read as float64: the target the run saw is y rounded to float32
        INDArray target = xy[1].castTo(DataType.FLOAT).castTo(DataType.DOUBLE);
        INDArray input = xy[0].castTo(DataType.FLOAT).castTo(DataType.DOUBLE);
        double expected = mse(predict(m, input), target);
        JsonNode metrics = JSON.readTree(run.resolve("metrics.json").toFile());
        assertEquals(expected, metrics.get("mse").asDouble(), 1e-12 * Math.max(1, expected), "mse against y");
        INDArray centred = target.subRowVector(target.mean(0));
        double variance =
                centred.norm2Number().doubleValue() * centred.norm2Number().doubleValue() / centred.length();
        assertTrue(
                expected < 0.8 * variance,
                "the transcoder learned part of y = x A: mse " + expected + " vs " + variance);

        // evaluate on the rows: the same metrics; encode: the codes of the input alone
        CliRun eval = CliRun.of("evaluate", "--sae", run.toString(), "--data", x.toString(), "--target", y.toString());
        assertEquals(0, eval.exitCode(), eval.err());
        JsonNode e = JSON.readTree(eval.out().strip());
        assertEquals("transcoder", e.get("coder").asText());
        assertEquals(metrics.get("mse").asDouble(), e.get("mse").asDouble(), 1e-12 * Math.max(1, expected));
        assertEquals(metrics.get("l0").asDouble(), e.get("l0").asDouble(), 1e-12);

        Path codes = tmp.resolve("codes.npy");
        CliRun encode = CliRun.of(
                "encode",
                "--model",
                run.toString(),
                "--data",
                x.toString(),
                "--out",
                codes.toString(),
                "--no-progress");
        assertEquals(0, encode.exitCode(), encode.err());
        INDArray written = Npy.read(codes);
        assertArrayEquals(new long[] {ROWS, 16}, written.shape());
        INDArray z = m.forward(input).codes().castTo(DataType.FLOAT);
        assertEquals(0.0, written.sub(z).amaxNumber().doubleValue(), 0.0, "codes written as float32");

        // splicing a transcoder into a model is refused, pointing at --data
        CliRun spliced = CliRun.of("evaluate", "--sae", run.toString(), "--model", "minilm", "--tap", "residual:1");
        assertEquals(SaekitCli.EXIT_USAGE, spliced.exitCode(), spliced.err());
        assertTrue(spliced.err().contains("splicing it into a model is not supported"), spliced.err());
    }

    @Test
    void aSkipTranscoderOnTwoTapsOfAHarvestStaysStreamedAndResumesBitForBit(@TempDir Path tmp) throws IOException {
        INDArray[] xy = inputAndTarget();
        Map<String, INDArray> taps = new LinkedHashMap<>();
        taps.put("mlp_in:0", xy[0]);
        taps.put("mlp_out:0", xy[1]);
        Path h = harvest(Files.createDirectories(tmp.resolve("h")), taps);
        String[] run = args(
                "train",
                "--coder",
                "skip-transcoder",
                "--data",
                h.toString(),
                "--name",
                "mlp_in:0",
                "--target-name",
                "mlp_out:0",
                "--variant",
                "batchtopk",
                "--k",
                "3",
                "--epochs",
                "2",
                "--dtype",
                "float64",
                "--buffer-rows",
                "100",
                "--loss",
                "fvu");
        CliRun whole = CliRun.of(concat(run, "--out", tmp.resolve("whole").toString()));
        assertEquals(0, whole.exitCode(), whole.err());
        assertTrue(whole.out().contains("streamed through a shuffle buffer"), whole.out());
        assertTrue(whole.out().contains("loss fvu"), whole.out());
        CliRun saving = CliRun.of(concat(run, "--out", tmp.resolve("saving").toString(), "--checkpoint-every", "3"));
        assertEquals(0, saving.exitCode(), saving.err());

        Path mid = tmp.resolve("saving").resolve("checkpoints").resolve("step-000000009"); // epoch 2 of 6 steps each
        Path resumedRun = tmp.resolve("resumed");
        CliRun resumed =
                CliRun.of("train", "--resume", mid.toString(), "--out", resumedRun.toString(), "--no-progress");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resuming at step 9"), resumed.out());
        SparseAutoencoder a =
                Checkpoints.load(tmp.resolve("whole").resolve("model")).model();
        SparseAutoencoder b = Checkpoints.load(resumedRun.resolve("model")).model();
        assertEquals(new CoderSpec.Transcoder(OUT, true), b.coder());
        for (Parameter p : a.parameters()) {
            assertArrayEquals(
                    p.value().dup().data().asBytes(),
                    b.parameter(p.name()).orElseThrow().value().dup().data().asBytes(),
                    p.name() + " bit for bit");
        }
    }

    @Test
    void aBatchTopKCrosscoderAcrossTwoTapsTrainsOnTheLayerErrorAndDictionaryLearningsAuxK(@TempDir Path tmp)
            throws IOException {
        INDArray[] l = layers();
        Map<String, INDArray> taps = new LinkedHashMap<>();
        taps.put("residual:2", l[0]);
        taps.put("residual:4", l[1]);
        Path h = harvest(Files.createDirectories(tmp.resolve("h")), taps);
        Path run = tmp.resolve("run");
        CliRun train = CliRun.of(args(
                "train",
                "--coder",
                "crosscoder",
                "--data",
                h.toString(),
                "--name",
                "residual:2,residual:4",
                "--variant",
                "batchtopk",
                "--k",
                "3",
                "--epochs",
                "2",
                "--dead-tokens",
                "400",
                "--out",
                run.toString()));
        assertEquals(0, train.exitCode(), train.err());
        Checkpoint saved = Checkpoints.load(run.resolve("model"));
        assertEquals(CoderSpec.Crosscoder.of(2), saved.model().coder());
        assertEquals(2 * LAYER, saved.model().inputDim());
        LossSpec loss = saved.trainingConfig().loss().spec();
        String text = loss.toString();
        assertTrue(text.contains("LayerL2[layers=2]"), text);
        assertTrue(text.contains("AuxKDictionaryLearning[coefficient=0.03125, kAux=0, deadTokens=400, layers=2"), text);

        // encode and evaluate read the layers side by side, named as for train
        Path codes = tmp.resolve("codes.npy");
        CliRun encode = CliRun.of(
                "encode",
                "--model",
                run.toString(),
                "--data",
                h.toString(),
                "--name",
                "residual:2,residual:4",
                "--out",
                codes.toString(),
                "--no-progress");
        assertEquals(0, encode.exitCode(), encode.err());
        SparseAutoencoder m = saved.model();
        m.eval();
        INDArray rows = Nd4j.hstack(l[0], l[1]).castTo(DataType.FLOAT);
        INDArray z = m.forward(rows).codes();
        assertEquals(0.0, Npy.read(codes).sub(z).amaxNumber().doubleValue(), 0.0, "codes of [layer 2 | layer 4]");
        CliRun swapped = CliRun.of(
                "encode",
                "--model",
                run.toString(),
                "--data",
                h.toString(),
                "--name",
                "residual:2",
                "--out",
                tmp.resolve("one.npy").toString());
        assertEquals(SaekitCli.EXIT_USAGE, swapped.exitCode());
        assertTrue(swapped.err().contains("crosscoder over 2 layers"), swapped.err());

        CliRun eval = CliRun.of(
                "evaluate", "--sae", run.toString(), "--data", h.toString(), "--name", "residual:2,residual:4");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonNode e = JSON.readTree(eval.out().strip());
        JsonNode metrics = JSON.readTree(run.resolve("metrics.json").toFile());
        assertEquals(2, e.get("layers").asInt());
        assertEquals(
                metrics.get("fvu").asDouble(),
                e.get("fvu").asDouble(),
                1e-6 * metrics.get("fvu").asDouble());
    }

    @Test
    void aReluCrosscoderFromOneFileTrainsOnTheEnginesDefaultLossAndItsL1Weight(@TempDir Path tmp) throws IOException {
        INDArray[] l = layers();
        Path file = tmp.resolve("layers.safetensors");
        Safetensors.write(file, Map.of("a", l[0].castTo(DataType.FLOAT), "b", l[1].castTo(DataType.FLOAT)), Map.of());
        Path run = tmp.resolve("run");
        CliRun train = CliRun.of(args(
                "train",
                "--coder",
                "crosscoder",
                "--data",
                file.toString(),
                "--name",
                "a,b",
                "--epochs",
                "2",
                "--code-normalization",
                "sae",
                "--out",
                run.toString()));
        assertEquals(0, train.exitCode(), train.err());
        Checkpoint saved = Checkpoints.load(run.resolve("model"));
        assertEquals(
                new CoderSpec.Crosscoder(2, CodeNormalization.SAE),
                saved.model().coder());
        assertEquals(
                Losses.defaultFor(saved.model().spec()).spec(),
                saved.trainingConfig().loss().spec());
        assertTrue(saved.trainingConfig().loss().spec().toString().contains("lambda=0.1"), "dictionary_learning's l1");

        CliRun weighted = CliRun.of(args(
                "train",
                "--coder",
                "crosscoder",
                "--data",
                file.toString(),
                "--name",
                "a,b",
                "--epochs",
                "1",
                "--l1",
                "0.05",
                "--loss",
                "mse",
                "--out",
                tmp.resolve("weighted").toString()));
        assertEquals(0, weighted.exitCode(), weighted.err());
        assertEquals(
                new LossSpec.Mse().toString() + "|" + new LossSpec.WeightedL1(0.05, 2, CodeNormalization.CROSSCODER),
                terms(Checkpoints.load(tmp.resolve("weighted").resolve("model"))
                        .trainingConfig()
                        .loss()
                        .spec()));
    }

    /** The terms of a sum, in order, joined by {@code |}. */
    private static String terms(LossSpec spec) {
        return spec instanceof LossSpec.Sum s
                ? String.join("|", s.terms().stream().map(Object::toString).toList())
                : spec.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void whatCannotApplyToACoderIsRefusedInOneLine(String why, int exit, String message, List<String> command)
            throws IOException {
        Path tmp = Files.createTempDirectory("coder-refusals");
        INDArray[] xy = inputAndTarget();
        INDArray[] l = layers();
        npy(tmp, "x.npy", xy[0]);
        npy(tmp, "y.npy", xy[1]);
        npy(tmp, "short.npy", xy[1].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 100)));
        Map<String, INDArray> taps = new LinkedHashMap<>();
        taps.put("mlp_in:0", xy[0]);
        taps.put("residual:2", l[0]);
        taps.put("residual:4", l[1]);
        harvest(Files.createDirectories(tmp.resolve("h")), taps);
        String[] resolved = command.stream()
                .map(a -> a.startsWith("@") ? tmp.resolve(a.substring(1)).toString() : a)
                .toArray(String[]::new);
        CliRun run = CliRun.of(resolved);
        assertEquals(exit, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains(message), run.err());
    }

    static Stream<Arguments> refusals() {
        String[] transcoder = {"train", "--coder", "transcoder", "--data", "@x.npy", "--target", "@y.npy"};
        String[] crosscoder = {"train", "--coder", "crosscoder", "--data", "@h", "--name", "residual:2,residual:4"};
        int usage = SaekitCli.EXIT_USAGE;
        int input = SaekitCli.EXIT_INPUT;
        return Stream.of(
                refusal(
                        "a transcoder without a target",
                        usage,
                        "give --target-name",
                        "train",
                        "--coder",
                        "transcoder",
                        "--data",
                        "@x.npy"),
                refusal(
                        "a coder without --data",
                        usage,
                        "needs --data",
                        "train",
                        "--coder",
                        "skip-transcoder",
                        "--target",
                        "@y.npy"),
                refusal(
                        "an unknown coder",
                        usage,
                        "accepted: autoencoder, transcoder, skip-transcoder, crosscoder",
                        "train",
                        "--coder",
                        "decoder"),
                refusal("--center", usage, "--center does not apply", with(transcoder, "--center")),
                refusal("--scale", usage, "--scale does not apply", with(crosscoder, "--scale", "auto")),
                refusal("--encoder", usage, "--encoder does not apply", with(transcoder, "--encoder", "mlp_ln_1")),
                refusal(
                        "--normalization",
                        usage,
                        "--normalization does not apply",
                        with(crosscoder, "--normalization", "max_l2")),
                refusal("--archetypal", usage, "--archetypal does not apply", with(transcoder, "--archetypal", "32")),
                refusal(
                        "matching pursuit",
                        usage,
                        "encodes with its dictionary alone",
                        with(transcoder, "--variant", "mp")),
                refusal(
                        "orthogonal matching pursuit",
                        usage,
                        "encodes with its dictionary alone",
                        with(crosscoder, "--variant", "omp")),
                refusal(
                        "msae",
                        usage,
                        "--variant msae keeps an encoder and decoder layout of its own",
                        with(transcoder, "--variant", "msae")),
                refusal(
                        "one crosscoder layer",
                        usage,
                        "reads several layers side by side",
                        "train",
                        "--coder",
                        "crosscoder",
                        "--data",
                        "@h",
                        "--name",
                        "residual:2"),
                refusal(
                        "a layer named twice",
                        usage,
                        "names a layer twice",
                        "train",
                        "--coder",
                        "crosscoder",
                        "--data",
                        "@h",
                        "--name",
                        "residual:2,residual:2"),
                refusal(
                        "a crosscoder's target",
                        usage,
                        "is a transcoder's target",
                        with(crosscoder, "--target", "@y.npy")),
                refusal(
                        "a transcoder's code normalization",
                        usage,
                        "--code-normalization weighs",
                        with(transcoder, "--code-normalization", "sae")),
                refusal(
                        "an unknown code normalization",
                        usage,
                        "accepted: crosscoder, sae, none",
                        with(crosscoder, "--code-normalization", "layer")),
                refusal(
                        "layer_l2 for a transcoder",
                        usage,
                        "measures a crosscoder's error layer by layer",
                        with(transcoder, "--loss", "layer_l2")),
                refusal(
                        "mse_l1 for a crosscoder",
                        usage,
                        "does not apply to a crosscoder",
                        with(crosscoder, "--loss", "mse_l1")),
                refusal(
                        "an unknown loss",
                        usage,
                        "accepted for a transcoder: mse, mse_l1, fvu",
                        with(transcoder, "--loss", "huber")),
                refusal(
                        "--l1 for a TopK crosscoder",
                        usage,
                        "--l1 weighs a crosscoder's decoder-weighted L1 term",
                        with(crosscoder, "--variant", "topk", "--l1", "0.2")),
                refusal(
                        "--dead-tokens without auxk_dl",
                        usage,
                        "--dead-tokens applies to --aux auxk_dl",
                        with(transcoder, "--variant", "topk", "--dead-tokens", "100")),
                refusal(
                        "--aux-window with auxk_dl",
                        usage,
                        "see --dead-tokens",
                        with(crosscoder, "--variant", "topk", "--aux-window", "5")),
                refusal(
                        "a target of other rows",
                        input,
                        "has 240 rows and",
                        "train",
                        "--coder",
                        "transcoder",
                        "--data",
                        "@x.npy",
                        "--target",
                        "@short.npy"),
                refusal(
                        "a streamed input beside an in-memory target",
                        input,
                        "in the same order",
                        "train",
                        "--coder",
                        "transcoder",
                        "--data",
                        "@h",
                        "--name",
                        "mlp_in:0",
                        "--target",
                        "@y.npy"),
                refusal(
                        "layers of different widths",
                        input,
                        "must have the same width",
                        "train",
                        "--coder",
                        "crosscoder",
                        "--data",
                        "@h",
                        "--name",
                        "mlp_in:0,residual:2"),
                refusal(
                        "a sweep of coders",
                        usage,
                        "saekit sweep trains autoencoders only",
                        "sweep",
                        "--coder",
                        "transcoder",
                        "--out",
                        "@sweep"),
                refusal(
                        "evaluate with --model and --data",
                        usage,
                        "give one",
                        "evaluate",
                        "--sae",
                        "@run",
                        "--model",
                        "minilm",
                        "--data",
                        "@x.npy"),
                refusal(
                        "bench layers that do not divide the input",
                        usage,
                        "--layers must divide --input 16",
                        "bench",
                        "--coder",
                        "crosscoder",
                        "--input",
                        "16",
                        "--layers",
                        "3"),
                refusal(
                        "bench --output for a crosscoder",
                        usage,
                        "--output is a transcoder's output width",
                        "bench",
                        "--coder",
                        "crosscoder",
                        "--output",
                        "8"));
    }

    private static String[] with(String[] base, String... more) {
        return concat(base, more);
    }

    private static Arguments refusal(String why, int exit, String message, String... command) {
        List<String> all = new ArrayList<>(Arrays.asList(command));
        if (all.get(0).equals("train")) {
            all.addAll(List.of("--no-progress", "--epochs", "1", "--concepts", "16"));
        }
        return Arguments.of(why, exit, message, all);
    }

    @Test
    void benchTimesATranscoderAndACrosscoderBesideAPlainSaeOfTheSameWidth() throws IOException {
        for (String[] c :
                new String[][] {{"autoencoder", "16", "0"}, {"skip-transcoder", "8", "0"}, {"crosscoder", "16", "2"}}) {
            List<String> command = new ArrayList<>(List.of(
                    "bench",
                    "--coder",
                    c[0],
                    "--variant",
                    "topk",
                    "--input",
                    "16",
                    "--concepts",
                    "32",
                    "--k",
                    "4",
                    "--batch",
                    "16",
                    "--steps",
                    "2",
                    "--warmup",
                    "1"));
            if (c[0].equals("skip-transcoder")) {
                command.addAll(List.of("--output", "8"));
            }
            CliRun run = CliRun.of(command.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run.err());
            JsonNode json = JSON.readTree(run.out().strip());
            assertEquals(c[0], json.get("coder").asText());
            assertEquals(16, json.get("input").asInt());
            assertEquals(Integer.parseInt(c[1]), json.get("output").asInt());
            assertEquals(Integer.parseInt(c[2]), json.path("layers").asInt(0));
            assertTrue(json.get("median_s_per_step").asDouble() > 0, json.toString());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
