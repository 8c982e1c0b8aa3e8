package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.ActivationManifest;
import dev.saekit.io.Npy;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.onnx.splice.MiniLm;
import dev.saekit.onnx.splice.SplicedModel;
import dev.saekit.onnx.splice.TokenBatch;
import dev.saekit.onnx.splice.TokenBatcher;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saekit evaluate} on an SAE trained here, through the CLI, on MiniLM's residual stream
 * after layer 3 (a few hundred token rows, a few epochs), and on the OCR recogniser when it is fetched.
 */
class EvaluateCommandTest {
    private static final String TAP = MiniLm.residual(3);

    @TempDir
    static Path tmp;

    private static Path run;

    @BeforeAll
    static void trainAnSaeOnMiniLmRows() throws IOException {
        List<String> documents = new java.util.ArrayList<>();
        try (dev.saekit.onnx.text.TextCorpus.Reader r =
                dev.saekit.onnx.text.TextCorpus.embedded().open()) {
            for (dev.saekit.onnx.text.TextCorpus.Document d = r.next();
                    d != null && documents.size() < 40;
                    d = r.next()) {
                documents.add(d.text());
            }
        }
        float[] rows;
        int count = 0;
        try (SplicedModel model = MiniLm.spliced(TAP, 1);
                TokenBatcher tokenizer = MiniLm.tokenizer()) {
            TokenBatch batch = tokenizer.batch(documents);
            float[] tap = model.clean(batch.feeds()).tap().data();
            rows = new float[Math.toIntExact(batch.tokens()) * MiniLm.WIDTH];
            for (int r = 0; r < batch.attentionMask().length; r++) {
                if (batch.attentionMask()[r] == 1) {
                    System.arraycopy(tap, r * MiniLm.WIDTH, rows, count++ * MiniLm.WIDTH, MiniLm.WIDTH);
                }
            }
        }
        Path data = tmp.resolve("layer3.npy");
        Npy.write(data, Tensors.fromFlat(DType.FLOAT32, rows, count, MiniLm.WIDTH));
        run = tmp.resolve("run");
        train(data, run, "--epochs", "20");
    }

    private static void train(Path data, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "train",
                "--data",
                data.toString(),
                "--variant",
                "topk",
                "--k",
                "16",
                "--concepts",
                "256",
                "--scale",
                "auto",
                "--batch-size",
                "64",
                "--lr",
                "0.004",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                out.toString()));
        args.addAll(Arrays.asList(extra));
        CliRun trained = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, trained.exitCode(), trained.err());
    }

    @Test
    void printsOneJsonObjectWithTheSpliceBetweenZeroAndClean() throws IOException {
        Path json = tmp.resolve("eval.json");
        CliRun r = CliRun.of(
                "evaluate",
                "--sae",
                run.toString(),
                "--model",
                "minilm",
                "--tap",
                TAP,
                "--documents",
                "12",
                "--batch",
                "5",
                "--out",
                json.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals(new ObjectMapper().readTree(Files.readString(json)), report);
        JsonNode d = report.get("downstream");
        assertEquals("sentence_embedding", d.get("kind").asText());
        assertEquals(12, d.get("documents").asInt());
        double splice = d.get("cosine_splice").asDouble();
        double zero = d.get("cosine_zero").asDouble();
        assertTrue(zero < splice && splice < 1, "zero " + zero + ", splice " + splice);
        double recovered = d.get("fraction_recovered").asDouble();
        assertEquals((splice - zero) / (1 - zero), recovered, 1e-12);
        JsonNode q = report.get("reconstruction");
        assertEquals(256, q.get("latents").asInt());
        assertEquals(report.get("tokens").asLong(), q.get("tokens").asLong());
        assertTrue(q.get("fvu").asDouble() < 1, q.toString());
        assertTrue(q.get("l0").asDouble() <= 16, q.toString());
        long histogram = 0;
        for (JsonNode c : q.get("density_histogram").get("counts")) {
            histogram += c.asLong();
        }
        assertEquals(256, histogram + q.get("dead_latents").asLong());
        assertTrue(report.get("timing").get("ms_per_token").asDouble() > 0);
    }

    @Test
    void theTrainingMeanCanStandInForTheEvaluatedOne() throws IOException {
        CliRun r = CliRun.of(
                "evaluate",
                "--sae",
                run.toString(),
                "--model",
                "minilm",
                "--tap",
                TAP,
                "--documents",
                "4",
                "--mean",
                "training");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals("given mean row", report.get("mean_ablation").asText());
        assertEquals(0.0, report.get("timing").get("mean_pass_seconds").asDouble());
    }

    @Test
    void anSaeOfAnotherWidthIsRefusedInOneLine() throws IOException {
        Path narrow = tmp.resolve("narrow.npy");
        Npy.write(narrow, new SeededRandom(3).normal(DType.FLOAT32, 1.0, 200, 100));
        Path other = tmp.resolve("narrow-run");
        train(narrow, other, "--epochs", "1");
        CliRun r =
                CliRun.of("evaluate", "--sae", other.toString(), "--model", "minilm", "--tap", TAP, "--documents", "2");
        assertEquals(SaekitCli.EXIT_INPUT, r.exitCode());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(
                r.err().contains("the SAE takes rows of width 100") && r.err().contains("rows of width 384"), r.err());
    }

    @Test
    void badOptionsAreUsageErrors() {
        String sae = run.toString();
        assertEquals(2, CliRun.of("evaluate", "--sae", sae, "--model", "minilm").exitCode()); // no --tap
        CliRun mean = CliRun.of("evaluate", "--sae", sae, "--model", "minilm", "--tap", TAP, "--mean", "median");
        assertEquals(2, mean.exitCode());
        assertEquals(
                "saekit: error: --mean: unknown 'median'; accepted: evaluated, training",
                mean.err().strip());
        CliRun model = CliRun.of("evaluate", "--sae", sae, "--model", "bert", "--tap", TAP);
        assertEquals(2, model.exitCode());
        assertTrue(model.err().contains("'bert' is neither ocr, minilm nor a model file"), model.err());
        CliRun corpus = CliRun.of(
                "evaluate",
                "--sae",
                sae,
                "--model",
                "minilm",
                "--tap",
                TAP,
                "--corpus",
                tmp.resolve("c.csv").toString());
        assertEquals(2, corpus.exitCode(), corpus.err());
        assertEquals(
                2,
                CliRun.of("evaluate", "--sae", sae, "--model", "minilm", "--tap", TAP, "--batch", "0")
                        .exitCode());
    }

    @Test
    void aTextCorpusFileIsReadOneDocumentPerLine() throws IOException {
        Path corpus = Files.writeString(
                tmp.resolve("corpus.txt"), "The first document.\n\nA second one, longer than the first.\nThird.\n");
        CliRun r = CliRun.of(
                "evaluate", "--sae", run.toString(), "--model", "minilm", "--tap", TAP, "--corpus", corpus.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(3, new ObjectMapper().readTree(r.out()).get("sequences").asInt());
    }

    @Test
    void evaluatesAnSaeInsideTheOcrRecogniser() throws IOException {
        assumeTrue(
                OcrModelFiles.inDefaultDirectory().present(),
                "the OCR model is not fetched; run " + OcrModelFiles.FETCH_SCRIPT);
        Path extracted = tmp.resolve("ocr");
        CliRun extract = CliRun.of("extract-ocr", "--out", extracted.toString(), "--lines", "30", "--no-progress");
        assertEquals(0, extract.exitCode(), extract.err());
        ActivationManifest.Tap tap = ActivationManifest.read(extracted).taps().get(0);
        Path shard =
                extracted.resolve(tap.directory()).resolve(tap.shards().get(0).file());
        Path ocrRun = tmp.resolve("ocr-run");
        train(shard, ocrRun, "--epochs", "10");
        CliRun r = CliRun.of("evaluate", "--sae", ocrRun.toString(), "--model", "ocr", "--lines", "4", "--seed", "7");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode d = new ObjectMapper().readTree(r.out()).get("downstream");
        assertEquals("character_distributions", d.get("kind").asText());
        assertEquals("probabilities", d.get("output_is").asText());
        assertEquals(4, d.get("lines").asInt());
        double klSplice = d.get("splice").get("kl_nats").asDouble();
        double klZero = d.get("zero").get("kl_nats").asDouble();
        assertTrue(0 < klSplice && klSplice < klZero, d.toString());
        assertEquals((klZero - klSplice) / klZero, d.get("fraction_recovered").asDouble(), 1e-12);
        assertTrue(d.get("clean_cer_vs_truth").asDouble() < 0.1, d.toString());
        assertTrue(d.get("zero").get("argmax_agreement").asDouble() < 1, d.toString());
    }
}
