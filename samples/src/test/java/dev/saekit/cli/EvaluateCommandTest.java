package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.ActivationManifest;
import dev.saekit.io.Npy;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
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
 * after layer 3 (a harvest of 600 token rows, a few epochs), and on the OCR recogniser when it is fetched.
 */
class EvaluateCommandTest {
    private static final String TAP = "residual:3";
    private static final String TENSOR = "/encoder/layer.3/output/LayerNorm/Add_1_output_0";

    @TempDir
    static Path tmp;

    private static Path run;

    @BeforeAll
    static void trainAnSaeOnMiniLmRows() {
        Path harvest = tmp.resolve("harvest");
        CliRun h =
                CliRun.of("harvest", "--out", harvest.toString(), "--tokens", "600", "--threads", "1", "--no-progress");
        assertEquals(0, h.exitCode(), h.err());
        run = tmp.resolve("run");
        train(harvest, run, "--epochs", "20");
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
                "--threads",
                "1",
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
        assertEquals(TENSOR, report.get("tap").asText());
        assertEquals(TAP, report.get("tap_name").asText());
        assertEquals("drop", report.get("special_tokens").asText());
        assertEquals(0, report.get("excluded_documents").asInt());
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
                TENSOR,
                "--documents",
                "4",
                "--mean",
                "training");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals("given mean row", report.get("mean_ablation").asText());
        assertEquals(TENSOR, report.get("tap").asText(), "a raw tensor name works as the tap");
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
        CliRun tap = CliRun.of("evaluate", "--sae", sae, "--model", "minilm", "--tap", "residual:9");
        assertEquals(2, tap.exitCode(), tap.err());
        assertTrue(tap.err().startsWith("saekit: error: tap 'residual:9': this model has 6 layers"), tap.err());
        CliRun special = CliRun.of("evaluate", "--sae", sae, "--model", "minilm", "--tap", TAP, "--special", "both");
        assertEquals(
                "saekit: error: --special: special tokens must be keep or drop, was 'both'",
                special.err().strip());
        CliRun notHarvest =
                CliRun.of("evaluate", "--sae", sae, "--model", "minilm", "--tap", TAP, "--exclude", tmp.toString());
        assertEquals(2, notHarvest.exitCode(), notHarvest.err());
        assertTrue(notHarvest.err().contains("not a harvest directory (no harvest.json)"), notHarvest.err());
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
        assertTrue(corpus.err().contains("--corpus must be embedded, wordnet[:DIR], bible, brown[:DIR]"), corpus.err());
        assertEquals(
                2,
                CliRun.of("evaluate", "--sae", sae, "--model", "minilm", "--tap", TAP, "--batch", "0")
                        .exitCode());
    }

    @Test
    void droppedSpecialTokensAreNotCountedAndKeptOnesAre() throws IOException {
        JsonNode drop = evaluateText("--documents", "5");
        JsonNode keep = evaluateText("--documents", "5", "--special", "keep");
        assertEquals("keep", keep.get("special_tokens").asText());
        // each document's [CLS] and [SEP]
        assertEquals(keep.get("tokens").asLong() - 2 * 5, drop.get("tokens").asLong());
        assertEquals(
                drop.get("tokens").asLong(),
                drop.get("reconstruction").get("tokens").asLong());
    }

    @Test
    void excludedHarvestDocumentsAreNotEvaluated() throws IOException {
        Path corpus = Files.writeString(
                tmp.resolve("six.txt"),
                "One document here.\nA second document.\nThe third one.\nA fourth.\nFifth of them.\nThe sixth.\n");
        Path harvest = tmp.resolve("six-harvest");
        CliRun h = CliRun.of(
                "harvest",
                "--out",
                harvest.toString(),
                "--corpus",
                corpus.toString(),
                "--tokens",
                "8",
                "--threads",
                "1",
                "--no-progress");
        assertEquals(0, h.exitCode(), h.err());
        long harvested = HarvestDirectory.open(harvest).documentIds().size();
        assertTrue(harvested > 0 && harvested < 6, "documents harvested: " + harvested);
        JsonNode all = evaluateText("--corpus", corpus.toString());
        JsonNode unseen = evaluateText("--corpus", corpus.toString(), "--exclude", harvest.toString());
        assertEquals(6, all.get("sequences").asInt());
        assertEquals(6 - harvested, unseen.get("sequences").asLong());
        assertEquals(harvested, unseen.get("excluded_documents").asLong());
        assertTrue(unseen.get("tokens").asLong() < all.get("tokens").asLong());
    }

    @Test
    void theCorpusIsNamedAsHarvestNamesIt() {
        CliRun nonsense = CliRun.of(
                "evaluate", "--sae", run.toString(), "--model", "minilm", "--tap", TAP, "--corpus", "nonsense");
        assertEquals(2, nonsense.exitCode(), nonsense.err());
        assertEquals(
                "saekit: error: --corpus must be embedded, wordnet[:DIR], bible, brown[:DIR], or a .txt or .jsonl file;"
                        + " 'nonsense' is none of them",
                nonsense.err().strip());
        CliRun wordnet = CliRun.of(
                "evaluate",
                "--sae",
                run.toString(),
                "--model",
                "minilm",
                "--tap",
                TAP,
                "--corpus",
                "wordnet:" + tmp.resolve("no-wordnet"));
        assertEquals(1, wordnet.exitCode(), wordnet.err());
        assertTrue(wordnet.err().contains("install the Debian package wordnet-base"), wordnet.err());
    }

    private static JsonNode evaluateText(String... more) throws IOException {
        List<String> args = new java.util.ArrayList<>(
                List.of("evaluate", "--sae", run.toString(), "--model", "minilm", "--tap", TAP, "--threads", "1"));
        args.addAll(Arrays.asList(more));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        return new ObjectMapper().readTree(r.out());
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
