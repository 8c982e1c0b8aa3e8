package dev.saekit.cli;

import dev.saekit.onnx.ActivationExtractor;
import dev.saekit.onnx.text.CorpusSample;
import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.onnx.text.HarvestSettings;
import dev.saekit.onnx.text.SpecialTokens;
import dev.saekit.onnx.text.TextCorpus;
import dev.saekit.onnx.text.TextModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The options of {@code saekit sweep} that measure every cell inside a text model ({@link
 * SweepEvaluation}), named as {@code saekit evaluate} names them. When {@code --data} is a harvest
 * directory, the evaluation follows it: its documents are left out, its special-token setting and
 * its truncation are used, and {@code --model} and {@code --tap} must be those it was harvested
 * from. Every mistake that the options alone show is refused before the data is loaded, a tap whose
 * rows are not the data's width before any cell is trained.
 */
final class SweepEvaluationOptions {
    /** {@code --exclude}'s value that leaves no document out. */
    static final String NO_EXCLUSION = "none";

    @Option(
            names = "--model",
            paramLabel = "minilm|FILE.onnx",
            description = "Measure every cell inside this text model, as saekit evaluate does, and draw L0 against"
                    + " fraction_recovered in frontier-fidelity.svg: " + TextModelOption.MODEL_DESCRIPTION
                    + ". Needs --tap. Texts are cut at the --max-length of the harvest in --data, else at 128 tokens."
                    + " Default: none (no downstream columns).")
    String model;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = TextModelOption.TOKENIZER_DESCRIPTION)
    Path tokenizer;

    @Option(
            names = "--tap",
            paramLabel = "NAME",
            description = "With --model: the tensor the data's rows come from, its rows of the data's width, e.g."
                    + " residual:3. " + TextModelOption.TAP_DESCRIPTION)
    String tap;

    @Option(
            names = "--eval-corpus",
            paramLabel = CorpusOption.LABEL,
            defaultValue = CorpusOption.DEFAULT,
            description = "With --model: the documents of the evaluation, as evaluate's --corpus. "
                    + CorpusOption.DESCRIPTION + " Default: ${DEFAULT-VALUE}.")
    String corpus;

    @Option(
            names = "--documents",
            paramLabel = "N",
            defaultValue = "100",
            description = "With --model: documents evaluated, spread evenly over the corpus (all if it has fewer),"
                    + " the same for every cell. Default: ${DEFAULT-VALUE}.")
    int documents;

    @Option(
            names = "--exclude",
            paramLabel = "HARVEST_DIR",
            description = "With --model: leave out the documents of this harvest (their ids in its documents.jsonl);"
                    + " repeatable; none leaves no document out. Default: --data when it is a harvest directory, so"
                    + " that the SAEs are scored on text they were not trained on; else none.")
    List<String> exclude;

    @Option(
            names = "--special",
            paramLabel = "keep|drop",
            description = "With --model: whether the [CLS] and [SEP] rows are replaced and scored (keep) or keep"
                    + " their clean values (drop), as for evaluate. Default: the setting of the harvest in --data,"
                    + " else drop.")
    String special;

    @Option(
            names = "--eval-batch",
            paramLabel = "N",
            defaultValue = "32",
            description = "With --model: documents per run, padded to the longest. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--eval-threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "With --model: ONNX Runtime threads per run; 0 uses one per core (the evaluation runs"
                    + " between the cells' trainings). Default: ${DEFAULT-VALUE}.")
    int threads;

    /**
     * Whether {@code --model} asks for the evaluation. Refuses, before anything is loaded, {@code
     * --tap} without {@code --model} or the reverse, the other options without them, and bad values.
     */
    boolean requested() throws CliException {
        Cli.require(
                tap == null || model != null,
                "--tap goes with --model: give the model the tap is in, e.g. --model minilm --tap " + tap);
        Cli.require(
                model == null || tap != null,
                "--model " + model + " needs --tap: the tensor the data's rows come from, e.g. residual:3 (saekit"
                        + " onnx-info lists them)");
        if (model == null) {
            Cli.require(
                    tokenizer == null && exclude == null && special == null,
                    "--tokenizer, --exclude and --special set the evaluation inside a model, and there is no --model");
            return false;
        }
        Cli.require(documents > 0, "--documents must be > 0, was " + documents);
        Cli.require(batch > 0, "--eval-batch must be > 0, was " + batch);
        Cli.require(threads >= 0, "--eval-threads must be >= 0 (0: one per core), was " + threads);
        Cli.require(
                model.toLowerCase(Locale.ROOT).equals(TextModelOption.MINILM) || Files.isRegularFile(Path.of(model)),
                "--model: '" + model + "' is neither " + TextModelOption.MINILM + " nor a model file");
        if (special != null) {
            Cli.parse("--special", special, SpecialTokens::parse);
        }
        CorpusOption.parse(corpus);
        for (Path harvest : excluded(null)) {
            Cli.require(
                    isHarvest(harvest),
                    "--exclude " + harvest + ": not a harvest directory (no harvest.json); give the --out of a saekit"
                            + " harvest, or none");
        }
        return true;
    }

    /** Whether {@code dir} holds a harvest of {@code saekit harvest}. */
    static boolean isHarvest(Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve("harvest.json"));
    }

    /** The harvests whose documents are left out: {@code --exclude}'s, else {@code data} when it is a harvest. */
    private List<Path> excluded(Path data) throws CliException {
        if (exclude == null) {
            return isHarvest(data) ? List.of(data) : List.of();
        }
        if (exclude.size() == 1 && exclude.get(0).equals(NO_EXCLUSION)) {
            return List.of();
        }
        List<Path> paths = new ArrayList<>();
        for (String e : exclude) {
            Cli.require(!e.equals(NO_EXCLUSION), "--exclude none leaves no document out; give it alone");
            paths.add(Path.of(e));
        }
        return paths;
    }

    /**
     * Opens the evaluation of SAEs trained on {@code data} (the tap {@code name} of it when it is a
     * harvest with several), whose rows are {@code width} wide, and prints what it runs on to {@code
     * out}. A tap of another width, or another model or tap than a harvest's, is a usage error.
     */
    SweepEvaluation open(Path data, String name, int width, PrintWriter out) throws CliException, IOException {
        HarvestSettings harvest = isHarvest(data) ? HarvestDirectory.open(data).settings() : null;
        SpecialTokens specialTokens = special != null
                ? SpecialTokens.parse(special)
                : harvest != null ? harvest.specialTokens() : SpecialTokens.DROP;
        int maxLength = harvest != null ? harvest.maxLength() : TextModel.DEFAULT_MAX_LENGTH;
        TextCorpus texts = CorpusOption.open(corpus);
        List<Path> left = excluded(data);
        Set<String> ids = new HashSet<>();
        for (Path h : left) {
            ids.addAll(HarvestDirectory.open(h).documentIds());
        }
        CorpusSample sample = CorpusSample.evenly(texts, documents, ids);
        if (sample.documents().isEmpty()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "--eval-corpus " + texts.description() + " has no document to evaluate on: all "
                            + sample.excluded() + " are in the harvests of --exclude " + left
                            + "; give another --eval-corpus, or --exclude none");
        }
        String kind = model.toLowerCase(Locale.ROOT);
        TextModel textModel = TextModelOption.open(
                kind.equals(TextModelOption.MINILM) ? TextModelOption.MINILM : model, tokenizer, maxLength);
        try {
            String tensor = Cli.parse("--tap", tap, textModel::tensor);
            if (harvest != null) {
                checkHarvest(data, name, harvest, textModel, tensor);
            }
            int tapWidth = SweepEvaluation.tapWidth(
                    textModel, tap, sample.documents().get(0).text(), threads);
            Cli.require(
                    tapWidth == width,
                    "--tap " + tap + " of " + textModel.name() + " has rows of width " + tapWidth
                            + ", but the rows of --data have width " + width
                            + ": give the tap the data was harvested from");
            out.println("evaluate  " + textModel.name() + " at " + tap + " (" + tensor + "), "
                    + sample.documents().size() + " documents of " + texts.description()
                    + (left.isEmpty()
                            ? ", none left out"
                            : ", leaving out the " + sample.excluded() + " documents of "
                                    + String.join(
                                            ", ",
                                            left.stream().map(Path::toString).toList()))
                    + "; special tokens " + specialTokens.label() + ", at most " + maxLength + " tokens each");
            return SweepEvaluation.open(textModel, tap, width, sample.texts(), specialTokens, batch, threads);
        } catch (CliException | IOException | RuntimeException e) {
            textModel.close();
            throw e;
        }
    }

    /** Refuses a model or a tap other than the ones the harvest in {@code data} was made with. */
    private void checkHarvest(Path data, String name, HarvestSettings harvest, TextModel textModel, String tensor)
            throws CliException {
        Cli.require(
                harvest.modelSha256().equals(textModel.sha256()),
                "--model " + model + " is not the model the harvest in --data " + data + " ran (" + harvest.model()
                        + "): evaluate the SAEs in the model their rows come from");
        int t = -1;
        for (int i = 0; i < harvest.taps().size(); i++) {
            String tapName = harvest.taps().get(i);
            if (name == null
                    || tapName.equals(name)
                    || ActivationExtractor.directoryName(tapName).equals(name)) {
                t = i;
                break;
            }
        }
        if (t >= 0) {
            Cli.require(
                    harvest.tensors().get(t).equals(tensor),
                    "--tap " + tap + " is " + tensor + ", but the rows of --data " + data + " are those of "
                            + harvest.taps().get(t) + " (" + harvest.tensors().get(t)
                            + "): give --tap " + harvest.taps().get(t));
        }
    }
}
