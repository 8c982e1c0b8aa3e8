package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.onnx.ocr.CtcDecoder;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.onnx.splice.DjlTokenBatcher;
import dev.saekit.onnx.splice.Downstream;
import dev.saekit.onnx.splice.EvalBatch;
import dev.saekit.onnx.splice.InModelEvaluation;
import dev.saekit.onnx.splice.InModelReport;
import dev.saekit.onnx.splice.MiniLm;
import dev.saekit.onnx.splice.RowAutoencoder;
import dev.saekit.onnx.splice.SplicedModel;
import dev.saekit.onnx.splice.TokenBatch;
import dev.saekit.onnx.splice.TokenBatcher;
import dev.saekit.samples.EmbeddedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
 * Prints one JSON object.
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
            "reconstruction metrics on the same tokens. Prints one JSON object."
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

    static final String MINILM = "minilm";

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
            required = true,
            description =
                    "ocr (PaddleOCR's PP-OCRv4 recogniser, fetched by " + OcrModelFiles.FETCH_SCRIPT + "), minilm"
                            + " (all-MiniLM-L6-v2, on the class path), or the path of a BERT-style .onnx text model (give --tokenizer).")
    String model;

    @Option(
            names = "--tap",
            paramLabel = "NAME",
            description = "The tensor the SAE was trained on, a raw tensor name (saekit onnx-info lists them); e.g. "
                    + "/encoder/layer.3/output/LayerNorm/Add_1_output_0 for minilm. Default for ocr: "
                    + OcrModelFiles.RESIDUAL_TAP + ".")
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
            paramLabel = "FILE",
            description =
                    "Text models: a .txt file (one document per line) or .jsonl file ({\"text\": ...} per line). Default: the"
                            + " embedded WordNet corpus.")
    Path corpus;

    @Option(
            names = "--documents",
            paramLabel = "N",
            defaultValue = "200",
            description =
                    "Text models: documents evaluated, spread evenly over the corpus (all if it has fewer). Default: ${DEFAULT-VALUE}.")
    int documents;

    @Option(
            names = "--tokenizer",
            paramLabel = "FILE",
            description = "A text model file's HuggingFace tokenizer.json (minilm brings its own).")
    Path tokenizer;

    @Option(
            names = "--output",
            paramLabel = "NAME",
            description =
                    "A text model file's output whose attention-masked mean is the sentence embedding. Default: last_hidden_state,"
                            + " else its first float output.")
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
        Checkpoint checkpoint = Checkpoints.load(sae);
        SparseAutoencoder saeModel = checkpoint.model();
        INDArray centre = checkpoint.attachments().get(RunFiles.MEAN_ATTACHMENT);
        INDArray scaleAttachment = checkpoint.attachments().get(TrainingData.SCALE_ATTACHMENT);
        double scale = scaleAttachment == null ? 1.0 : scaleAttachment.getDouble(0);
        RowAutoencoder rows = RowAutoencoder.of(saeModel, centre, scale);
        InModelReport report;
        if (kind.equals(OCR)) {
            report = evaluateOcr(rows, trainingMean ? meanRow(centre) : null);
        } else {
            report = evaluateText(kind, rows, trainingMean ? meanRow(centre) : null);
        }
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("sae", sae.toString());
        json.put("variant", saeModel.spec().variant().name());
        json.put("latents", saeModel.nbConcepts());
        json.put("model_kind", kind.equals(OCR) || kind.equals(MINILM) ? kind : "file");
        json.put("threads", threads);
        if (!kind.equals(OCR)) {
            json.put("batch", batch);
        }
        json.setAll(report.toJson());
        String text = json.toString();
        if (out != null) {
            AtomicFiles.writeString(out, json.toPrettyString() + "\n");
        }
        spec.commandLine().getOut().println(text);
        return 0;
    }

    private InModelReport evaluateOcr(RowAutoencoder rows, float[] meanRow) throws CliException, IOException {
        Cli.require(
                corpus == null && tokenizer == null && output == null,
                "--corpus, --tokenizer and --output are for text models; the ocr model reads --lines rendered lines");
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
            return run(spliced, rows, downstream, meanRow, batches);
        }
    }

    private InModelReport evaluateText(String kind, RowAutoencoder rows, float[] meanRow)
            throws CliException, IOException {
        boolean minilm = kind.equals(MINILM);
        Cli.require(
                tap != null,
                "--tap: give the tensor the SAE was trained on (saekit onnx-info lists them), e.g. "
                        + MiniLm.residual(3));
        Cli.require(!minilm || tokenizer == null, "--tokenizer is for a model file; minilm brings its own");
        Path file = minilm ? null : Path.of(model);
        if (!minilm) {
            if (!Files.isRegularFile(file)) {
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        "--model: '" + model + "' is neither " + OCR + ", " + MINILM + " nor a model file");
            }
            Cli.require(tokenizer != null, "--tokenizer: a text model file needs its tokenizer.json");
        }
        List<String> texts = TextCorpus.read(corpus, documents);
        try (SplicedModel spliced = minilm ? MiniLm.spliced(tap, threads) : SplicedModel.open(file, tap, threads);
                TokenBatcher tokens = minilm ? MiniLm.tokenizer() : readTokenizer(tokenizer)) {
            Cli.require(
                    spliced.inputs().contains(TokenBatch.INPUT_IDS),
                    "--model " + model + " takes " + spliced.inputs() + ", not " + TokenBatch.INPUT_IDS
                            + ": evaluate reads a model file as a BERT-style text model (for the recogniser give --model ocr)");
            String pooled = output != null
                    ? output
                    : spliced.outputs().contains(MiniLm.OUTPUT)
                            ? MiniLm.OUTPUT
                            : spliced.outputs().get(0);
            Cli.require(
                    spliced.outputs().contains(pooled),
                    "--output: " + model + " has no float output '" + pooled + "'; its outputs are "
                            + spliced.outputs());
            List<EvalBatch> batches =
                    EvaluationInputs.textBatches(tokens, texts, batch, new HashSet<>(spliced.inputs()));
            return run(spliced, rows, new Downstream.SentenceEmbedding(pooled), meanRow, batches);
        }
    }

    private static InModelReport run(
            SplicedModel spliced,
            RowAutoencoder rows,
            Downstream downstream,
            float[] meanRow,
            Iterable<EvalBatch> batches) {
        InModelEvaluation.Builder b = InModelEvaluation.builder(spliced, rows, downstream);
        if (meanRow != null) {
            b.meanRow(meanRow);
        }
        return b.build().run(batches);
    }

    private static TokenBatcher readTokenizer(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return DjlTokenBatcher.read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such tokenizer file");
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
