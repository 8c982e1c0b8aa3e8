package dev.saekit.cli;

import dev.saekit.onnx.text.HarvestResult;
import dev.saekit.onnx.text.SpecialTokens;
import dev.saekit.onnx.text.TextCorpus;
import dev.saekit.onnx.text.TextModel;
import dev.saekit.onnx.text.TokenHarvest;
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
 * {@code saekit harvest}: token activations of a text transformer on a corpus, written as a
 * harvest directory (see {@link TokenHarvest}).
 */
@Command(
        name = "harvest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Run a BERT-style text transformer (ONNX Runtime, HuggingFace tokenizer, all offline) over a corpus and write",
            "the activations of its tokens: per tap .npy shards [rows, C], and tokens/ with the document, position and token",
            "of every row, documents.jsonl, vocab.txt, manifest.json (read by activations(dir, tap)) and harvest.json.",
            "The same settings give byte-identical files; --resume finishes a harvest that was stopped."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a missing corpus or model, a file that cannot be read or written, or a model ONNX Runtime cannot run",
            "2:bad command line or option value, or --resume with other settings than the harvest's"
        })
public class HarvestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description = "Harvest directory: new or empty, or with --resume one this command began.")
    Path out;

    @Option(
            names = "--model",
            paramLabel = "minilm|FILE.onnx",
            defaultValue = "minilm",
            description = "The model: " + TextModelOption.MODEL_DESCRIPTION + ". Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = TextModelOption.TOKENIZER_DESCRIPTION)
    Path tokenizer;

    @Option(
            names = "--tap",
            paramLabel = "NAME",
            description = "A tensor to harvest; repeatable, all in one pass. " + TextModelOption.TAP_DESCRIPTION
                    + " Default: residual:3.")
    List<String> taps = List.of("residual:3");

    @Option(
            names = "--corpus",
            paramLabel = CorpusOption.LABEL,
            defaultValue = CorpusOption.DEFAULT,
            description = CorpusOption.DESCRIPTION + " Default: ${DEFAULT-VALUE}.")
    String corpus;

    @Option(
            names = "--tokens",
            paramLabel = "N",
            defaultValue = "0",
            description = "Stop after exactly N tokens (rows); 0 harvests the whole corpus. Default: ${DEFAULT-VALUE}.")
    long tokens;

    @Option(
            names = "--resume",
            defaultValue = "false",
            description =
                    "Go on with the harvest in --out from its last finished shard (the settings must be the same);"
                            + " the result is byte-identical to a harvest that never stopped. Default: ${DEFAULT-VALUE}.")
    boolean resume;

    @Option(
            names = "--special",
            paramLabel = "keep|drop",
            defaultValue = "drop",
            description =
                    "Whether [CLS] and [SEP] get rows. drop (the default) because they are not tokens of the text and"
                            + " their activations are outliers (same position in every document, large norms) that an SAE would"
                            + " spend features on; keep to study them. Padding never gets rows. Default: ${DEFAULT-VALUE}.")
    String special;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "32",
            description = "Documents per model run. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--window",
            paramLabel = "N",
            defaultValue = "0",
            description = "Documents sorted by length together: each window of N documents runs shortest first, --batch"
                    + " at a time, so that batches are little padding; rows are still written in corpus order. 0 (the"
                    + " default) means 16 batches, fewer if --rows-per-shard cannot hold that many documents of"
                    + " --max-length tokens.")
    int window;

    @Option(
            names = "--max-length",
            paramLabel = "N",
            defaultValue = "128",
            description = TextModelOption.MAX_LENGTH_DESCRIPTION)
    int maxLength;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "ONNX Runtime threads; 0 uses one per core. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--rows-per-shard",
            paramLabel = "N",
            defaultValue = "65536",
            description = "Most rows in one shard (shards end between windows); at least --window times --max-length."
                    + " Default: ${DEFAULT-VALUE}.")
    int rowsPerShard;

    @Option(
            names = "--no-progress",
            defaultValue = "false",
            description =
                    "Do not show the progress bar (it is only shown on a terminal anyway). Default: ${DEFAULT-VALUE}.")
    boolean noProgress;

    @Override
    public Integer call() {
        return Cli.run(spec, this::harvest);
    }

    private int harvest() throws CliException, IOException {
        Cli.require(tokens >= 0, "--tokens must be >= 0 (0: the whole corpus), was " + tokens);
        Cli.require(threads >= 0, "--threads must be >= 0 (0: one per core), was " + threads);
        Cli.require(window >= 0, "--window must be >= 0 (0: 16 batches), was " + window);
        SpecialTokens specialTokens = Cli.parse("--special", special, SpecialTokens::parse);
        TextCorpus documents = CorpusOption.open(corpus);
        PrintWriter stdout = spec.commandLine().getOut();
        try (TextModel textModel = TextModelOption.open(model, tokenizer, maxLength)) {
            TokenHarvest.Builder builder = TokenHarvest.builder(textModel, documents, out)
                    .taps(taps)
                    .tokens(tokens)
                    .specialTokens(specialTokens)
                    .batchSize(batch)
                    .window(window)
                    .rowsPerShard(rowsPerShard)
                    .threads(threads)
                    .resume(resume)
                    .progress(noProgress || System.console() == null ? null : System.err); // no bar in logs
            return harvest(builder, textModel, documents, stdout);
        }
    }

    /**
     * Runs the harvest the options describe: here, in this process; {@code saekit spark harvest}
     * overrides this to run it in parts on a cluster's executors and assemble the same files.
     */
    protected int harvest(TokenHarvest.Builder builder, TextModel textModel, TextCorpus documents, PrintWriter stdout)
            throws CliException, IOException {
        TokenHarvest harvest;
        try {
            harvest = builder.build();
        } catch (IllegalArgumentException e) { // a bad tap or setting, or a resume with other settings
            throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage());
        }
        describe(stdout, textModel, documents, harvest.settings());
        HarvestResult r = harvest.run();
        if (r.resumedRows() > 0) {
            stdout.printf(Locale.ROOT, "resumed   after %,d tokens in finished shards%n", r.resumedRows());
        }
        if (r.newRows() == 0 && r.resumedRows() > 0) {
            stdout.printf(
                    Locale.ROOT,
                    "complete  %,d tokens of %,d documents were harvested already%n",
                    r.rows(),
                    r.documents());
        } else {
            stdout.printf(
                    Locale.ROOT,
                    "harvested %,d tokens of %,d documents in %.1f s: %,.0f tokens/s, %,.0f tokens per CPU-second"
                            + " (%.1f CPU-seconds)%n",
                    r.newRows(),
                    r.documents(),
                    r.seconds(),
                    r.tokensPerSecond(),
                    r.tokensPerCpuSecond(),
                    r.cpuSeconds());
            stdout.printf(
                    Locale.ROOT,
                    "forward   %.1f s in ONNX Runtime (%,.0f tokens/s) after loading the model in %.1f s; saekit's"
                            + " own work %.1f s, %.1f%% of the rest (tokenizing, copying taps out, ordering rows,"
                            + " writing shards)%n",
                    r.forwardSeconds(),
                    r.forwardTokensPerSecond(),
                    r.loadSeconds(),
                    r.ownSeconds(),
                    100 * r.overheadShare());
        }
        stdout.println("wrote     " + out + " (" + r.state().shards().size() + " shard"
                + (r.state().shards().size() == 1 ? "" : "s") + " per tap, manifest.json, harvest.json, tokens/)");
        return 0;
    }

    /** Prints what the harvest runs: the model, the corpus and each tap's tensor. */
    protected final void describe(
            PrintWriter stdout,
            TextModel textModel,
            TextCorpus documents,
            dev.saekit.onnx.text.HarvestSettings settings) {
        stdout.println("model     " + textModel.name() + " (sha256 " + textModel.sha256() + ")");
        stdout.println("corpus    " + documents.description());
        for (int i = 0; i < taps.size(); i++) {
            stdout.println(
                    "tap       " + taps.get(i) + " = " + settings.tensors().get(i));
        }
        stdout.flush();
    }

    /** {@code --out}. */
    protected final Path out() {
        return out;
    }

    /** {@code --model}, {@code --tokenizer} and {@code --max-length}: how a worker opens the same model. */
    protected final TextModelOption.Spec modelSpec() {
        return new TextModelOption.Spec(model, tokenizer == null ? null : tokenizer.toString(), maxLength);
    }

    /** {@code --threads}: ONNX Runtime threads, 0 for one per core. */
    protected final int threads() {
        return threads;
    }
}
