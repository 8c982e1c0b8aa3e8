package dev.saekit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataProvenance;
import dev.saekit.metrics.EvalMetrics;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.train.DeadLatentResampler;
import dev.saekit.train.DecoderBiasInit;
import dev.saekit.train.InputNormalization;
import dev.saekit.train.KAnnealing;
import dev.saekit.train.Loss;
import dev.saekit.train.LossSpec;
import dev.saekit.train.Losses;
import dev.saekit.train.MemoryEstimate;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Resampling;
import dev.saekit.train.ScaleFolding;
import dev.saekit.train.Schedule;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingResult;
import dev.saekit.train.listeners.DivergenceCheck;
import dev.saekit.train.listeners.ProgressBarListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit train}: trains an SAE of any variant on a data file or a set of shards of any format (by default the embedded GloVe
 * word vectors), prints its metrics over the whole data set and, for labelled rows, the words that
 * the most used concepts fire on.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Train a sparse autoencoder and show what its concepts fire on.",
            "With no options it trains on the embedded GloVe 6B 100-d vectors of 10,000 words in well under a minute."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:bad input data or a file that cannot be read or written",
            "2:bad command line or option value",
            "3:training diverged",
            "4:not enough memory for the run"
        })
public class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "Training data: one .npy, .npz (--name), .safetensors or IDX (plain or .gz) file, loaded into memory; "
                            + "or a directory or glob (acts/*.npz) of such shards, streamed from disk (see --buffer-rows); or what `saekit harvest` or "
                            + "`extract-ocr` wrote (a directory with a manifest.json: --name picks the tap). Arrays become "
                            + "rows by --row-axes: [60000, 28, 28] is 60000 rows of 784. Default: the embedded GloVe word vectors.")
    Path data;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description =
                    "The array to train on in an .npz or .safetensors file (or in each shard) that holds several, or the tap of a harvest "
                            + "directory that holds several (residual:3); an error lists them.")
    String name;

    @Option(
            names = "--row-axes",
            paramLabel = "K",
            defaultValue = "1",
            description =
                    "How many leading axes of the data index rows; the others flatten into each row. 1: images [n, 28, 28] "
                            + "are n rows of 784; 2: token activations [n, t, d] are n*t rows of width d. Default: ${DEFAULT-VALUE}.")
    int rowAxes;

    @Option(
            names = "--buffer-rows",
            paramLabel = "N",
            defaultValue = "65536",
            description =
                    "Shuffle buffer of streamed shards, in rows: the rows held in memory at once (N x width x 4 bytes "
                            + "for float32). Default: ${DEFAULT-VALUE}.")
    int bufferRows;

    @Option(
            names = "--labels",
            paramLabel = "FILE",
            description = "One label per row of --data (UTF-8, one per line), shown in the concept report.")
    Path labels;

    @Mixin
    VariantOptions variantOptions;

    /** --coder and a transcoder's or crosscoder's data and loss options. */
    @Mixin
    CoderOptions coderOptions;

    @Option(
            names = "--concepts",
            paramLabel = "N",
            defaultValue = "512",
            description = "Number of concepts (dictionary atoms). Default: ${DEFAULT-VALUE}.")
    int concepts;

    @Option(
            names = "--encoder",
            paramLabel = "KIND",
            defaultValue = "linear",
            description = "Encoder: linear, mlp_ln_1, mlp_ln_3, mlp_bn_1 or mlp_bn_3. Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Option(
            names = "--normalization",
            paramLabel = "KIND",
            defaultValue = "l2",
            description =
                    "Projection of the dictionary atoms: l2, max_l2, l1, max_l1 or identity. Default: ${DEFAULT-VALUE}.")
    String normalization;

    @Option(
            names = "--multiplier",
            defaultValue = "false",
            description = "Learn a scalar m and scale the dictionary by e^m. Default: ${DEFAULT-VALUE}.")
    boolean multiplier;

    @Option(
            names = "--dtype",
            paramLabel = "TYPE",
            defaultValue = "float32",
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            defaultValue = "30",
            description = "Passes over the data. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "256",
            description = "Rows per step. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            defaultValue = "1e-2",
            description = "Base learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(
            names = "--optimizer",
            paramLabel = "KIND",
            defaultValue = "adam",
            description = "adam or adamw. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(
            names = "--weight-decay",
            paramLabel = "W",
            defaultValue = "0",
            description =
                    "Weight decay (added to the gradient for adam, decoupled for adamw). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(
            names = "--schedule",
            paramLabel = "KIND",
            defaultValue = "cosine",
            description =
                    "Learning-rate schedule: constant, cosine or linear (both with warm-up). Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(
            names = "--warmup",
            paramLabel = "FRACTION",
            defaultValue = "0.05",
            description =
                    "Fraction of the steps spent warming the learning rate up (cosine, linear). Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(
            names = "--final-lr-factor",
            paramLabel = "F",
            defaultValue = "0.1",
            description =
                    "Learning rate at the end, as a fraction of --lr (cosine, linear). Default: ${DEFAULT-VALUE}.")
    double finalLrFactor;

    @Option(
            names = "--clip",
            paramLabel = "NORM",
            defaultValue = "1.0",
            description = "Global gradient-norm bound; 0 turns clipping off. Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(
            names = "--loss",
            paramLabel = "KIND",
            description =
                    "mse, or mse_l1 = mse + l1 * sum(|z|) over the batch; transcoders also fvu (sparsify's fraction of "
                            + "variance unexplained); crosscoders layer_l2 (the crosscoder paper's per-layer error), mse or fvu. "
                            + "Default: mse_l1 for vanilla and jumprelu, mse for the others, layer_l2 for crosscoders (msae and "
                            + "matryoshka train on their nested loss, see --level-loss).")
    String loss;

    @Option(
            names = "--l1",
            paramLabel = "LAMBDA",
            defaultValue = "" + Losses.DEFAULT_L1,
            description = "Weight of the L1 term of mse_l1. It multiplies a SUM over the whole batch, so it is small "
                    + "and scales with 1/--batch-size. Default: ${DEFAULT-VALUE}. For vanilla and jumprelu crosscoders: "
                    + "the weight of the decoder-weighted L1 term (a mean over the batch), default "
                    + Losses.DEFAULT_CROSSCODER_L1 + " as dictionary_learning's.")
    double l1;

    @Option(
            names = "--center",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = {
                "Subtract the data's mean row before training (the model has no decoder bias, so without this "
                        + "it spends a dense concept on the mean). The mean is saved with the model. Default: ${DEFAULT-VALUE}."
            })
    boolean center;

    @Option(
            names = "--scale",
            paramLabel = "S",
            description = {
                "Multiply every value (after --center) by S: a number (0.00392156862745098 = 1/255 for 8-bit pixels), "
                        + "or auto for 1 / the values' root mean square, which puts them near unit scale. Saved with the model: "
                        + "encode and export apply it. Default: none."
            })
    String scale;

    @Option(
            names = "--normalize",
            paramLabel = "HOW",
            defaultValue = "none",
            description = {
                "Scale every row inside training (after --center and --scale): unit (mean squared norm 1, the factor "
                        + "estimated from a seeded sample of 8192 rows), sqrt_width (mean norm sqrt(width), as SAELens), "
                        + "a number (that factor), or none. The model trains on the scaled rows; the saved model has the "
                        + "factor folded into its weights (it takes the rows as encode gives them, and reconstructs at "
                        + "their scale). Default: ${DEFAULT-VALUE}."
            })
    String normalize;

    @Option(
            names = "--decoder-bias-init",
            paramLabel = "HOW",
            defaultValue = "zero",
            description = "Where the decoder bias starts: zero, mean or median (geometric) of a sample of the rows; "
                    + "for models with a decoder bias. Default: ${DEFAULT-VALUE}.")
    String decoderBiasInit;

    @Option(
            names = "--l1-warmup",
            paramLabel = "STEPS",
            defaultValue = "0",
            description = "Grow the --l1 weight linearly from 0 over the first STEPS steps (step t weighs it by "
                    + "min(1, t / STEPS)). 0: none. Default: ${DEFAULT-VALUE}.")
    long l1Warmup;

    @Option(
            names = "--k-anneal",
            paramLabel = "STEPS",
            defaultValue = "0",
            description = "topk, batchtopk, matryoshka: lower k linearly from --k-start to --k over the first STEPS "
                    + "steps (k of step t = floor(start (1 - r) + k r), r = min(t, STEPS) / STEPS). 0: none. "
                    + "Default: ${DEFAULT-VALUE}.")
    long kAnneal;

    @Option(
            names = "--k-start",
            paramLabel = "K",
            description = "With --k-anneal: the k of the first step. Default: the data's width, at most --concepts.")
    Integer kStart;

    @Option(
            names = "--resample-every",
            paramLabel = "N",
            defaultValue = "0",
            description = "Every N steps, re-initialise the concepts that did not fire since the last resampling "
                    + "towards badly reconstructed rows (Bricken et al. 2023). 0: none. Default: ${DEFAULT-VALUE}.")
    long resampleEvery;

    @Option(
            names = "--resample-until",
            paramLabel = "STEP",
            defaultValue = "0",
            description = "With --resample-every: the last step at which to resample. 0: the whole run. "
                    + "Default: ${DEFAULT-VALUE}.")
    long resampleUntil;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "Seed of the initialisation and the batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = {
                "Write the run here: metrics.json, history/steps.csv, history/epochs.csv and the model as a checkpoint "
                        + "in model/ (config.json, weights.safetensors, ...), and checkpoints/ with --checkpoint-every. It must be empty "
                        + "or new, unless --overwrite or --resume is given."
            })
    Path out;

    @Option(
            names = "--overwrite",
            defaultValue = "false",
            description =
                    "Replace the run already in --out (its metrics.json, history, model and checkpoints). Refused if --out "
                            + "holds anything else. Default: ${DEFAULT-VALUE}.")
    boolean overwrite;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Save a checkpoint every N steps (and at the end) into OUT/checkpoints, keeping the newest 3; "
                            + "needs --out. 0: none. Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(
            names = "--resume",
            paramLabel = "DIR",
            description =
                    "Continue the run saved in this checkpoint (OUT/checkpoints of --checkpoint-every, or one of its "
                            + "step-N directories) with its own options and data. It writes into the run's own directory (the one "
                            + "holding checkpoints/), or into --out if given (empty, or with --overwrite); --no-progress may be given "
                            + "anew. In float64 the resumed run ends bit for bit where the uninterrupted run ends.")
    Path resume;

    @Option(
            names = "--reset-optimizer",
            defaultValue = "false",
            description =
                    "With --resume: start Adam afresh when the checkpoint's optimizer.safetensors is missing (the run then "
                            + "differs from the uninterrupted one). Without it such a checkpoint is refused. Default: ${DEFAULT-VALUE}.")
    boolean resetOptimizer;

    @Option(
            names = "--no-progress",
            defaultValue = "false",
            description = "Do not show the progress bar and epoch lines. Default: ${DEFAULT-VALUE}.")
    boolean noProgress;

    @Option(
            names = "--top-concepts",
            paramLabel = "N",
            defaultValue = "10",
            description =
                    "How many of the most used concepts to show (labelled data only; 0 for none). Default: ${DEFAULT-VALUE}.")
    int topConcepts;

    @Option(
            names = "--top-words",
            paramLabel = "N",
            defaultValue = "8",
            description = "Highest-activating labels shown per concept. Default: ${DEFAULT-VALUE}.")
    int topWords;

    /** The model of the last completed run (for tests and embedding callers), or null. */
    SparseAutoencoder trained;

    /** The checkpoint this run continues, or null. */
    private Checkpoint resumeFrom;

    /** The training config of the checkpoint this run continues, or null to build it from the options. */
    private TrainingConfig resumeConfig;

    /**
     * The command whose {@link #fit} trains a resumed run: the resumed run is rebuilt as a fresh
     * command from the checkpoint, and trains where the command the user ran trains
     * ({@code saekit spark train} on its cluster). Null: this command's own.
     */
    private TrainCommand fitter;

    /** The command line of the run, recorded with checkpoints for information (--resume rebuilds the run from data). */
    private List<String> originalArgs = List.of();

    @Override
    public Integer call() {
        return Cli.run(spec, this::train);
    }

    private int train() throws CliException, IOException {
        if (resume != null) {
            return resumeRun();
        }
        Cli.require(!resetOptimizer, "--reset-optimizer applies to --resume only");
        List<String> all =
                spec.commandLine().getParseResult().originalArgs(); // the whole command line, "train" included
        int at = all.indexOf(spec.name());
        originalArgs = List.copyOf(all.subList(at + 1, all.size()));
        if (out != null) {
            RunDirectory.prepare(out, overwrite);
        } else {
            Cli.require(!overwrite, "--overwrite needs --out, the run to replace");
        }
        return run();
    }

    /**
     * Continues the run saved in the checkpoint from what it records as data: the model (spec and
     * weights), the training config (its loss rebuilt from the loss's spec), the data's provenance
     * (where the rows were read from, how they became rows, their centring and scale) and this
     * command's own settings ({@code cli}: labels, shuffle buffer, checkpoint cadence, report).
     * A checkpoint of an older saekit, which recorded the command line instead of the training
     * config, is continued by replaying that command line.
     */
    private int resumeRun() throws CliException, IOException {
        Checkpoint c = Checkpoints.load(resume);
        JsonNode legacyArgs = c.training() == null ? null : c.training().get("cli_args");
        if (c.training() == null || c.cli() == null && legacyArgs == null) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    resume + " holds no recorded `saekit train` run (it was saved by import "
                            + "or the API); --resume needs a checkpoint of `saekit train --checkpoint-every`");
        }
        TrainCommand original = new TrainCommand();
        picocli.CommandLine cl = new picocli.CommandLine(original);
        cl.setOut(spec.commandLine().getOut());
        cl.setErr(spec.commandLine().getErr());
        if (c.cli() == null) { // an older saekit's checkpoint: its command line holds the run
            List<String> saved = new ArrayList<>();
            legacyArgs.forEach(a -> saved.add(a.asText()));
            cl.parseArgs(saved.toArray(String[]::new));
            original.originalArgs = saved;
        } else {
            cl.parseArgs();
            original.restoreOptions(c);
        }
        original.spec = spec;
        original.fitter = this;
        original.resumeFrom = c;
        original.resetOptimizer = resetOptimizer;
        // a resume writes only under its own run (the directory holding the checkpoints), or under --out: never
        // into the directory the recorded run named, which may be another copy of the run
        if (out != null) {
            RunDirectory.prepare(out, overwrite);
            original.out = out;
        } else {
            Cli.require(!overwrite, "--overwrite needs --out, the run to replace");
            original.out = RunDirectory.ofCheckpoint(c.dir());
        }
        original.noProgress = noProgress;
        int code = original.run();
        trained = original.trained;
        return code;
    }

    /**
     * Sets the options of a resumed run from checkpoint {@code c}: its training config, the data
     * its provenance names, read as then, and this command's recorded settings.
     */
    private void restoreOptions(Checkpoint c) throws CliException {
        try {
            resumeConfig = c.trainingConfig();
        } catch (IllegalStateException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, e.getMessage());
        }
        JsonNode cli = c.cli();
        DataProvenance was = c.dataProvenance()
                .orElseThrow(() -> new CliException(
                        SaekitCli.EXIT_INPUT,
                        c.dir().resolve("config.json")
                                + " records no data provenance; --resume cannot tell which data the run read"));
        if (cli.path("embedded_data").asBoolean(false)) {
            data = null;
        } else if (was.location() == null) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    c.dir().resolve("config.json") + " records no data location (the run read " + was.description()
                            + "); continue it from the DSL or Java with that data (Checkpoint.resume)");
        } else {
            data = Path.of(was.location());
        }
        name = was.array();
        rowAxes = was.rowAxes() == null ? 1 : was.rowAxes();
        center = Boolean.TRUE.equals(was.centred());
        scale = was.scale() == null || was.scale() == 1.0 ? null : Double.toString(was.scale()); // the factor, exactly
        dtype = c.spec().sae().dtype().label();
        labels = cli.hasNonNull("labels") ? Path.of(cli.get("labels").asText()) : null;
        bufferRows = cli.path("buffer_rows").asInt(bufferRows);
        checkpointEvery = cli.path("checkpoint_every").asLong(0);
        topConcepts = cli.path("top_concepts").asInt(topConcepts);
        topWords = cli.path("top_words").asInt(topWords);
        coderOptions.restore(cli);
        List<String> args = new ArrayList<>();
        cli.path("args").forEach(a -> args.add(a.asText()));
        originalArgs = args;
    }

    /** This command's own settings, recorded with checkpoints as their {@code cli} section for --resume. */
    private ObjectNode cliSection() {
        ObjectNode cli = ConfigJson.MAPPER.createObjectNode();
        originalArgs.forEach(cli.putArray("args")::add);
        cli.put("embedded_data", data == null);
        cli.put("labels", labels == null ? null : labels.toString());
        cli.put("buffer_rows", bufferRows);
        cli.put("checkpoint_every", checkpointEvery);
        cli.put("keep", CHECKPOINTS_KEPT);
        cli.put("top_concepts", topConcepts);
        cli.put("top_words", topWords);
        coderOptions.record(cli);
        return cli;
    }

    /** Periodic checkpoints kept in OUT/checkpoints. */
    private static final int CHECKPOINTS_KEPT = 3;

    private int run() throws CliException, IOException {
        SaeConfig saeConfig = saeConfig();
        // a resumed run's variant is the checkpoint's; a new one's comes from the options and the engine's defaults
        VariantKind kind = resumeFrom != null ? resumeFrom.spec().variant().kind() : variantOptions.kind();
        VariantSpec variant = resumeFrom != null ? resumeFrom.spec().variant() : variantOptions.spec(kind, saeConfig);
        // a transcoder or crosscoder (CoderOptions, CoderData); a resumed run's coder is the checkpoint's
        CoderOptions.Kind coderKind =
                resumeFrom != null ? CoderOptions.Kind.of(resumeFrom.spec().coder()) : coderOptions.kind();
        CoderSpec coder = resumeFrom != null ? resumeFrom.spec().coder() : coderOptions.provisional(coderKind, name);
        boolean autoencoder = coderKind == CoderOptions.Kind.AUTOENCODER;
        if (resumeFrom == null) { // a resumed run's options were checked when it started
            variantOptions.check(kind, variant, spec, coder);
            checkTrainingOptions(variant, autoencoder);
            coderOptions.check(
                    coderKind,
                    variant,
                    variantOptions.auxKind(variant, coder),
                    center,
                    data,
                    spec.commandLine().getParseResult());
        }
        if (!autoencoder) {
            center = false; // a coder learns its offsets; --center was refused above
        }
        TrainingConfig baseConfig = resumeConfig != null ? resumeConfig : trainingConfig(variant, coder);
        require(bufferRows > 0, "--buffer-rows must be > 0, was " + bufferRows);
        SaeConfig requested = saeConfig;
        TrainingData training = !autoencoder
                ? CoderData.of(coderKind, data, name, coderOptions.target, coderOptions.targetName)
                        .loadForTraining(
                                coderKind, rowAxes, labels, saeConfig.dtype(), bufferRows, baseConfig.batchSize())
                : TrainingData.load(
                                data,
                                name,
                                rowAxes,
                                labels,
                                center,
                                saeConfig.dtype(),
                                bufferRows,
                                baseConfig.batchSize(),
                                (rows, cols) -> {
                                    if (resumeFrom
                                            == null) { // the model's arrays must fit before the data is loaded (it may
                                        // be wide)
                                        require(
                                                cols <= Integer.MAX_VALUE,
                                                "--data has " + cols + " columns, more than one array may hold");
                                        checkArraySizes(
                                                ModelFactory.spec(
                                                        kind,
                                                        variantOptions,
                                                        new SaeConfig(
                                                                (int) cols,
                                                                requested.nbConcepts(),
                                                                requested.encoder(),
                                                                requested.dictionary(),
                                                                requested.dtype(),
                                                                requested.seed())),
                                                baseConfig,
                                                rows);
                                    }
                                })
                        .scaled(scale);
        TrainingConfig trainingConfig = baseConfig;
        saeConfig = new SaeConfig(
                autoencoder ? training.dataset().cols() : CoderData.inputWidth(coderKind, training.dataset()),
                saeConfig.nbConcepts(),
                saeConfig.encoder(),
                saeConfig.dictionary(),
                saeConfig.dtype(),
                saeConfig.seed());
        if (resumeFrom == null) { // estimated now (as the trainer would, same sample) so the run's description shows it
            trainingConfig = trainingConfig.withNormalization(
                    trainingConfig.normalization().resolve(training.dataset(), trainingConfig.seed()));
        }
        if (resumeFrom == null && kAnneal > 0) {
            int start = kStart != null ? kStart : Math.min(saeConfig.inputDim(), saeConfig.nbConcepts());
            require(
                    variant.selectsTopK(),
                    "--k-anneal lowers the k of topk, batchtopk and matryoshka; --variant " + variant.name()
                            + " has no k to anneal");
            require(start >= 1, "--k-start must be >= 1, was " + start);
            trainingConfig = trainingConfig.toBuilder()
                    .kAnnealing(new KAnnealing(start, kAnneal))
                    .build();
        }
        SparseAutoencoder model;
        if (resumeFrom != null) {
            model = resumeFrom.model();
            JsonNode was = resumeFrom.data();
            if (was != null
                    && (was.path("rows").asLong() != training.dataset().rows()
                            || was.path("cols").asInt() != training.dataset().cols())) {
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        "the checkpoint was trained on " + was.path("rows").asLong() + " rows x "
                                + was.path("cols").asInt() + " but the data now has "
                                + training.dataset().rows() + " x "
                                + training.dataset().cols());
            }
        } else {
            ModelSpec spec = autoencoder
                    ? ModelFactory.spec(kind, variantOptions, saeConfig)
                    : ModelFactory.coderSpec(
                            kind, variantOptions, saeConfig, CoderData.spec(coderKind, coder, training.dataset()));
            checkMemory(spec, trainingConfig, training.dataset());
            // the archetypal dictionary's k-means candidates come from these rows: a seeded sample of streamed shards
            model = ModelFactory.create(spec, variantOptions, training.dataset());
            checkFeatures(model, trainingConfig, training.dataset().rows());
        }
        DataProvenance provenance = asGiven(training.provenance(name));
        ObjectNode cli = cliSection();

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("data      " + training.describe());
        stdout.println("model     " + model);
        stdout.println(
                "training  " + describe(trainingConfig, training.dataset().rows()));
        stdout.flush();

        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(new DivergenceCheck()); // an AuxK loss brings its own dead-code tracker (Loss.listeners)
        if (!noProgress) {
            listeners.add(new ProgressBarListener());
        }
        String runId = resumeFrom != null && resumeFrom.runId() != null ? resumeFrom.runId() : Checkpoints.newRunId();
        FitJob.Checkpointing checkpointing = null;
        if (checkpointEvery > 0) {
            require(out != null, "--checkpoint-every needs --out, where the checkpoints go");
            checkpointing = new FitJob.Checkpointing(
                    out.resolve("checkpoints"),
                    checkpointEvery,
                    CHECKPOINTS_KEPT,
                    provenance,
                    cli,
                    training.attachments(),
                    runId);
        }
        if (resumeFrom != null) {
            if (resumeFrom.optimizerMissing() && resetOptimizer) {
                stdout.println("warning: " + resumeFrom.dir().resolve("optimizer.safetensors")
                        + " is missing; Adam starts afresh "
                        + "(--reset-optimizer), so this run differs from the uninterrupted one");
            }
            stdout.println("resuming at step " + resumeFrom.progress().step() + " (epoch "
                    + (resumeFrom.progress().epoch() + 1) + ") from " + resumeFrom.dir());
        }
        FitJob.Fitted fitted = fit(new FitJob(
                model,
                trainingConfig,
                listeners,
                training.dataset(),
                data,
                name,
                rowAxes,
                training.mean(),
                training.scale(),
                bufferRows,
                resumeFrom,
                resumeFrom != null && resumeFrom.optimizerMissing() && resetOptimizer,
                checkpointing,
                out));
        TrainingResult result = fitted.result();
        model = fitted.model();
        if (!result.completed()) {
            if (out != null) {
                RunFiles.writeDiverged(out, result, training, ConfigJson.training(trainingConfig));
            }
            throw new CliException(SaekitCli.EXIT_DIVERGED, result.message());
        }

        // the model trained on normalised rows; saved and evaluated with the factor folded into its weights
        trainingConfig = fitted.config();
        ScaleFolding.fold(model, trainingConfig.normalization().factor());
        trained = model;
        FinalEvaluation evaluation =
                FinalEvaluation.run(model, training.dataset(), trainingConfig.batchSize(), topWords);
        EvalMetrics metrics = evaluation.metrics();
        stdout.println();
        stdout.println("metrics over all " + metrics.rows() + " rows (eval mode)");
        RunFiles.metricsTable(metrics, result).forEach((k, v) -> stdout.printf(Locale.ROOT, "  %-19s %s%n", k, v));
        deadHint(metrics.deadFraction(), auxOf(trainingConfig.loss().spec())).ifPresent(stdout::println);
        List<String> rowLabels = training.dataset().labels().orElse(null);
        if (rowLabels != null && topConcepts > 0) {
            String noun = data == null ? "words" : "rows";
            stdout.printf(
                    Locale.ROOT,
                    "%nthe %d concepts that fire on the most %s, with their %d highest-activating %s%n",
                    topConcepts,
                    noun,
                    topWords,
                    data == null ? "words" : "labels");
            evaluation.concepts().print(stdout, rowLabels, topConcepts, noun);
        }
        if (out != null) {
            RunFiles.write(
                    out,
                    model,
                    metrics,
                    result,
                    training,
                    provenance,
                    trainingConfig,
                    cli,
                    fitted.optimizer(),
                    new dev.saekit.train.TrainingProgress(trainingConfig.epochs(), 0, fitted.stepsDone()),
                    runId);
            stdout.println();
            stdout.println("wrote " + out.resolve("metrics.json") + ", " + out.resolve("history") + ", "
                    + out.resolve("model"));
        }
        return 0;
    }

    /**
     * Trains: here, in this process; {@code saekit spark train} overrides this to train data-parallel
     * on a cluster's executors, with everything before and after (options, data checks, the model's
     * initialisation, the final evaluation and the run directory) the same.
     */
    protected FitJob.Fitted fit(FitJob job) throws CliException, IOException {
        if (fitter != null && fitter != this) {
            return fitter.fit(job);
        }
        if (job.resumeFrom() != null) {
            int batch = job.config().batchSize();
            checkProgress(job.resumeFrom(), job.config(), (job.dataset().rows() + batch - 1) / batch);
        }
        List<TrainingListener> listeners = new ArrayList<>(job.listeners());
        if (job.checkpointing() != null) {
            listeners.add(job.checkpointing().listener());
        }
        Trainer trainer = new Trainer(job.config(), listeners);
        TrainingResult result;
        if (job.resumeFrom() != null) {
            if (!job.freshOptimizer()) {
                job.resumeFrom().restoreOptimizer((dev.saekit.train.Adam) trainer.optimizer());
            }
            result = trainer.resume(
                    job.model(),
                    job.dataset(),
                    job.resumeFrom().progress(),
                    job.resumeFrom().listenerStates());
        } else {
            result = trainer.fit(job.model(), job.dataset());
        }
        return new FitJob.Fitted(job.model(), result, trainer.config(), trainer.optimizer(), trainer.stepsDone());
    }

    /**
     * {@code p} with its location as {@code --data} gave it: a harvest directory's tap is read through
     * its manifest, whose description is no path to open again on {@code --resume}.
     */
    private DataProvenance asGiven(DataProvenance p) {
        if (data == null || p.location() == null) {
            return p;
        }
        return new DataProvenance(
                data.toString(),
                p.array(),
                p.rowAxes(),
                p.files(),
                p.formats(),
                p.centred(),
                p.scale(),
                p.rows(),
                p.cols(),
                p.description());
    }

    /**
     * Refuses, before the model is built, a run whose arrays exceed what one array may hold (naming
     * the option to change) or whose estimated peak does not fit in the memory this process may use:
     * a run too large never allocates its model.
     */
    private void checkMemory(ModelSpec spec, TrainingConfig config, dev.saekit.data.Dataset data) throws CliException {
        long batch = Math.max(1, Math.min(config.batchSize(), data.rows()));
        try {
            MemoryEstimate.checkBeforeBuilding(spec, batch, data.memoryBytes((int) batch));
        } catch (IllegalArgumentException e) {
            throw sizeError(spec, config, e);
        }
    }

    /** The array-size half of {@link #checkMemory}, from the data's shape alone: it runs before the data is loaded. */
    private void checkArraySizes(ModelSpec spec, TrainingConfig config, long rows) throws CliException {
        try {
            MemoryEstimate.checkArraySizes(spec, Math.max(1, Math.min(config.batchSize(), rows)));
        } catch (IllegalArgumentException e) {
            throw sizeError(spec, config, e);
        }
    }

    private CliException sizeError(ModelSpec spec, TrainingConfig config, IllegalArgumentException e) {
        return new CliException(
                SaekitCli.EXIT_USAGE,
                "--concepts " + concepts + ", --batch-size " + config.batchSize()
                        + (spec.sae().dtype() == dev.saekit.tensor.DType.FLOAT64 ? ", --dtype float64" : "") + ": "
                        + e.getMessage());
    }

    /** Above this fraction of dead concepts, a run ends with a hint that names the options against them. */
    static final double DEAD_HINT_THRESHOLD = 0.10;

    /** The hint for a run that ends with {@code deadFraction} of its concepts dead, if that is above the threshold. */
    static java.util.Optional<String> deadHint(double deadFraction, String aux) {
        if (!(deadFraction > DEAD_HINT_THRESHOLD)) {
            return java.util.Optional.empty();
        }
        String auxAdvice = aux.equals("auxk_dl")
                ? "a smaller --dead-tokens so that AuxK revives them sooner, "
                : aux.startsWith("auxk")
                        ? "a shorter --aux-window (e.g. 50 steps) so that AuxK revives them sooner, "
                        : "--aux auxk (dead concepts learn to explain the residual), ";
        return java.util.Optional.of(String.format(
                Locale.ROOT,
                "hint: %.1f%% of the concepts never fired on the data (dead). "
                        + "Try %sa higher --lr, inputs near unit scale (--scale auto), or fewer --concepts.",
                100 * deadFraction,
                auxAdvice));
    }

    /**
     * The AuxK term of {@code loss} (the dead-concept hint then advises its window or threshold):
     * {@code auxk}, {@code auxk_dl}, or {@code none}.
     */
    private static String auxOf(LossSpec loss) {
        if (loss instanceof LossSpec.Weighted w) {
            return auxOf(w.term());
        }
        if (loss instanceof LossSpec.Sum sum) {
            return sum.terms().stream()
                    .map(TrainCommand::auxOf)
                    .filter(a -> !a.equals("none"))
                    .findFirst()
                    .orElse("none");
        }
        return loss instanceof LossSpec.AuxK
                ? "auxk"
                : loss instanceof LossSpec.AuxKDictionaryLearning ? "auxk_dl" : "none";
    }

    /**
     * Refuses, naming the option, training options that this run would ignore; a transcoder's or
     * crosscoder's {@code --loss} and {@code --l1} are checked as its loss is built ({@link CoderOptions#reconstruction}).
     */
    private void checkTrainingOptions(VariantSpec variant, boolean autoencoder) throws CliException {
        picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
        boolean nested = variant.nested();
        if (given.hasMatchedOption("--loss") && nested && autoencoder) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--loss does not apply to --variant " + variant.name()
                            + ", which trains on its nested loss (see --level-loss and --level-weights)");
        }
        String lossName = loss == null ? ModelFactory.defaultLoss(variant) : loss.toLowerCase(Locale.ROOT);
        if (autoencoder && given.hasMatchedOption("--l1") && (nested || !lossName.equals("mse_l1"))) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--l1 weighs the L1 term of --loss mse_l1, and the loss here is "
                            + (nested ? "the nested loss of " + variant.name() : lossName));
        }
        if (schedule.equalsIgnoreCase("constant")) {
            for (String option : List.of("--warmup", "--final-lr-factor")) {
                if (given.hasMatchedOption(option)) {
                    throw new CliException(
                            SaekitCli.EXIT_USAGE, option + " applies to --schedule cosine and linear, not constant");
                }
            }
        }
    }

    /**
     * Refuses a checkpoint whose progress does not fit this run: its step must be where its epoch
     * and step within the epoch put it, at most the run's last step.
     */
    /**
     * Refuses a checkpoint whose progress does not fit a run of {@code stepsPerEpoch} steps per epoch
     * (the step the trainer trains with on its data; a data-parallel run's epoch is its own).
     */
    protected static void checkProgress(Checkpoint c, TrainingConfig config, long stepsPerEpoch) throws CliException {
        dev.saekit.train.TrainingProgress p = c.progress();
        long expected = p.epoch() * stepsPerEpoch + p.stepInEpoch();
        if (p.stepInEpoch() >= stepsPerEpoch || p.step() != expected || p.step() > stepsPerEpoch * config.epochs()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    c.dir().resolve("config.json") + ": progress (epoch " + p.epoch()
                            + ", step in epoch " + p.stepInEpoch() + ", step " + p.step()
                            + ") does not fit this run of " + config.epochs()
                            + " epochs x " + stepsPerEpoch
                            + " steps (the file was edited, or the data changed); resume from another checkpoint");
        }
    }

    private SaeConfig saeConfig() throws CliException {
        require(concepts > 0, "--concepts must be > 0, was " + concepts);
        EncoderKind kind = parse("--encoder", encoder, EncoderKind::parse);
        if (kind == EncoderKind.IDENTITY) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--encoder identity passes the input through (for matching pursuit); "
                            + "train needs a learned encoder: linear, mlp_ln_1, mlp_ln_3, mlp_bn_1 or mlp_bn_3");
        }
        Normalization norm = parse("--normalization", normalization, Normalization::parse);
        DType type = parse("--dtype", dtype, DType::parse);
        // the input width comes from the data; 1 is a placeholder until it is loaded
        return new SaeConfig(1, concepts, kind, new DictionaryConfig(norm, multiplier), type, seed);
    }

    private TrainingConfig trainingConfig(VariantSpec variant, CoderSpec coder) throws CliException {
        require(epochs > 0, "--epochs must be > 0, was " + epochs);
        require(batchSize > 0, "--batch-size must be > 0, was " + batchSize);
        require(lr > 0 && Double.isFinite(lr), "--lr must be finite and > 0, was " + lr);
        require(
                weightDecay >= 0 && Double.isFinite(weightDecay),
                "--weight-decay must be finite and >= 0, was " + weightDecay);
        require(warmup >= 0 && warmup < 1, "--warmup must be in [0, 1), was " + warmup);
        require(finalLrFactor >= 0 && finalLrFactor <= 1, "--final-lr-factor must be in [0, 1], was " + finalLrFactor);
        require(
                clip >= 0 && Double.isFinite(clip),
                "--clip must be finite and >= 0 (0 turns clipping off), was " + clip);
        require(l1 >= 0 && Double.isFinite(l1), "--l1 must be finite and >= 0, was " + l1);
        require(topConcepts >= 0, "--top-concepts must be >= 0, was " + topConcepts);
        require(topWords > 0, "--top-words must be > 0, was " + topWords);
        OptimizerConfig.Kind kind = parse("--optimizer", optimizer, OptimizerConfig.Kind::parse);
        require(l1Warmup >= 0, "--l1-warmup must be >= 0 steps (0: none), was " + l1Warmup);
        require(kAnneal >= 0, "--k-anneal must be >= 0 steps (0: none), was " + kAnneal);
        require(kStart == null || kAnneal > 0, "--k-start sets where --k-anneal starts; give --k-anneal STEPS too");
        require(resampleEvery >= 0, "--resample-every must be >= 0 steps (0: none), was " + resampleEvery);
        require(resampleUntil >= 0, "--resample-until must be >= 0 (0: the whole run), was " + resampleUntil);
        require(
                resampleUntil == 0 || resampleEvery > 0,
                "--resample-until limits --resample-every; give --resample-every N too");
        return TrainingConfig.builder()
                .normalization(parse("--normalize", normalize, TrainCommand::normalization))
                .decoderBiasInit(parse("--decoder-bias-init", decoderBiasInit, DecoderBiasInit::parse))
                .sparsityWarmupSteps(l1Warmup)
                .resampling(
                        resampleEvery > 0
                                ? new Resampling(resampleEvery, resampleUntil, Resampling.DEFAULT_SAMPLE_ROWS)
                                : null)
                .epochs(epochs)
                .batchSize(batchSize)
                .optimizer(new OptimizerConfig(kind, lr, 0.9, 0.999, 1e-8, weightDecay))
                .schedule(parse("--schedule", schedule, s -> Schedule.parse(s, warmup, finalLrFactor)))
                .clipNorm(clip)
                .loss(lossFor(variant, coder))
                .seed(seed)
                .build();
    }

    /** {@code none}, {@code unit}, {@code sqrt_width} or a factor; the error lists them. */
    static InputNormalization normalization(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.equals("none")) {
            return InputNormalization.none();
        }
        if (v.equals("unit") || v.equals("sqrt_width")) {
            return InputNormalization.estimated(
                    InputNormalization.Target.parse(v), TrainingConfig.DEFAULT_STATISTICS_ROWS);
        }
        double factor;
        try {
            factor = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be none, unit, sqrt_width or a factor > 0, was '" + value + "'");
        }
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("a factor must be finite and > 0, was " + value);
        }
        return InputNormalization.fixed(factor);
    }

    /**
     * Refuses, naming the option, a training feature that the model built for this run cannot follow
     * (the engine would refuse it when training starts; here the error names the option).
     */
    private void checkFeatures(SparseAutoencoder model, TrainingConfig config, long rows) throws CliException {
        try {
            if (config.kAnnealing() != null) {
                config.kAnnealing()
                        .check(model, (rows + config.batchSize() - 1) / config.batchSize() * config.epochs());
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--k-start/--k-anneal: " + e.getMessage());
        }
        try {
            if (!(config.normalization() instanceof InputNormalization.None)) {
                ScaleFolding.check(model);
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--normalize " + normalize + ": " + e.getMessage());
        }
        try {
            config.decoderBiasInit().check(model);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--decoder-bias-init " + decoderBiasInit + ": saekit train's models have no decoder bias "
                            + "(they start from the centred data instead, --center); use zero");
        }
        try {
            if (config.resampling() != null) {
                DeadLatentResampler.check(model);
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--resample-every: " + e.getMessage());
        }
    }

    /** The loss of --loss, --l1 and the variant's options; a transcoder's or crosscoder's through {@link CoderOptions}. */
    private Loss lossFor(VariantSpec variant, CoderSpec coder) throws CliException {
        if (coder instanceof CoderSpec.Autoencoder) {
            return ModelFactory.loss(
                    variant,
                    variantOptions,
                    parse("--loss", loss == null ? ModelFactory.defaultLoss(variant) : loss, s -> Losses.parse(s, l1)));
        }
        Loss base = CoderOptions.reconstruction(
                variant, coder, loss, l1, spec.commandLine().getParseResult());
        return ModelFactory.loss(variant, variantOptions, base, coder, coderOptions.deadTokens());
    }

    private static String describe(TrainingConfig c, long rows) {
        long steps = (rows + c.batchSize() - 1) / c.batchSize();
        String lossText = c.loss() instanceof Losses.MseL1 m
                ? "mse_l1 (l1 " + num(m.lambda()) + ")"
                : c.loss().toString();
        return String.format(
                        Locale.ROOT,
                        "%d epochs x %d steps of %d rows, %s lr %s%s, %s, clip %s, loss %s, seed %d",
                        c.epochs(),
                        steps,
                        c.batchSize(),
                        c.optimizer().kind(),
                        num(c.optimizer().learningRate()),
                        c.optimizer().weightDecay() == 0
                                ? ""
                                : " weight decay " + num(c.optimizer().weightDecay()),
                        c.schedule(),
                        c.clipNorm() == 0 ? "off" : num(c.clipNorm()),
                        lossText,
                        c.seed())
                + features(c);
    }

    /** The training features a run uses, for its description line ("" when none). */
    private static String features(TrainingConfig c) {
        StringBuilder b = new StringBuilder();
        if (!(c.normalization() instanceof InputNormalization.None)) {
            b.append(", normalize ").append(c.normalization());
        }
        if (c.decoderBiasInit() != DecoderBiasInit.ZERO) {
            b.append(", decoder bias at the ").append(c.decoderBiasInit().label());
        }
        if (c.sparsityWarmupSteps() > 0) {
            b.append(", l1 warm-up ").append(c.sparsityWarmupSteps()).append(" steps");
        }
        if (c.kAnnealing() != null) {
            b.append(", k from ")
                    .append(c.kAnnealing().start())
                    .append(" over ")
                    .append(c.kAnnealing().steps())
                    .append(" steps");
        }
        if (c.resampling() != null) {
            b.append(", resample every ").append(c.resampling().every()).append(" steps");
            if (c.resampling().until() > 0) {
                b.append(" until step ").append(c.resampling().until());
            }
        }
        return b.toString();
    }

    /** {@code 0.01}, {@code 4E-5}, {@code 1}: the shortest exact decimal. */
    private static String num(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toString();
    }

    private static <T> T parse(String option, String value, java.util.function.Function<String, T> parser)
            throws CliException {
        return Cli.parse(option, value, parser);
    }

    private static void require(boolean ok, String message) throws CliException {
        Cli.require(ok, message);
    }
}
