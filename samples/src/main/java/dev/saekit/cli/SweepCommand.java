package dev.saekit.cli;

import dev.saekit.sweep.DownstreamEvaluator;
import dev.saekit.sweep.Preprocessing;
import dev.saekit.sweep.SweepGrid;
import dev.saekit.sweep.SweepListener;
import dev.saekit.sweep.SweepManifest;
import dev.saekit.sweep.SweepMismatchException;
import dev.saekit.sweep.SweepProgressBar;
import dev.saekit.sweep.SweepResult;
import dev.saekit.sweep.SweepRunner;
import dev.saekit.sweep.SweepSettings;
import dev.saekit.tensor.DType;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Schedule;
import dev.saekit.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit sweep}: trains a grid of variants x sparsity levels on one data set with the same
 * settings and draws the sparsity–fidelity frontier, L0 against FVU with one line per variant. The
 * variants with a k are swept by k; vanilla and JumpReLU by the L1 coefficient of their loss, each
 * cell placed at the L0 it measured. The directory it writes can be resumed (see {@link SweepRunner}).
 * With {@code --model}, every cell is also measured inside the text model its rows come from ({@link
 * SweepEvaluation}), and the frontier gets L0 against the fraction of the model's output recovered.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Train a grid of variants x sparsity levels on one data set and draw the sparsity-fidelity frontier "
                    + "(L0 against FVU, one line per variant).",
            "Variants with a k are swept by --k; vanilla and jumprelu by the L1 coefficient of their loss (--l1, "
                    + "--jump-l1), each cell placed at the L0 it measured. Every cell trains with the same data, "
                    + "seed, epochs, batch, learning rate and concepts.",
            "Writes --out/sweep.json, cells/<cell>/ (model/ and result.json), frontier.csv, frontier-fvu.svg and .png; "
                    + "--resume skips the finished cells.",
            "With --model and --tap, every cell is also spliced into the text model its rows come from, as saekit "
                    + "evaluate does (on documents the harvest in --data did not train on): frontier.csv gets "
                    + "fraction_recovered, fraction_recovered_over_mean, cosine_splice and l2_ratio, and "
                    + "frontier-fidelity.svg draws L0 against fraction_recovered."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:bad input data or a file that cannot be read or written",
            "2:bad command line or option value, or --resume with other settings",
            "3:a cell's training diverged (the finished cells are kept)",
            "4:not enough memory for the run"
        })
public final class SweepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description = "Training data, as for train: one data file, or a directory or glob of shards (streamed). "
                    + "Default: the embedded GloVe word vectors.")
    Path data;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "The array to train on in an .npz or .safetensors file that holds several.")
    String name;

    @Option(
            names = "--row-axes",
            paramLabel = "K",
            defaultValue = "1",
            description = "How many leading axes of the data index rows, as for train. Default: ${DEFAULT-VALUE}.")
    int rowAxes;

    @Option(
            names = "--buffer-rows",
            paramLabel = "N",
            defaultValue = "65536",
            description = "Shuffle buffer of streamed shards, in rows. Default: ${DEFAULT-VALUE}.")
    int bufferRows;

    @Mixin
    SweepGridOptions gridOptions;

    @Option(
            names = "--coder",
            paramLabel = "KIND",
            defaultValue = "autoencoder",
            description =
                    "autoencoder only: a sweep's cells are autoencoders. Transcoders and crosscoders are trained one "
                            + "at a time with saekit train --coder. Default: ${DEFAULT-VALUE}.")
    String coder;

    @Option(
            names = "--concepts",
            paramLabel = "N",
            defaultValue = "512",
            description = "Number of concepts of every model. Default: ${DEFAULT-VALUE}.")
    int concepts;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            defaultValue = "10",
            description = "Passes over the data per cell. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "256",
            description = "Rows per step (the L1 term sums over them). Default: ${DEFAULT-VALUE}.")
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
            description = "Learning-rate schedule: constant, cosine or linear. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(
            names = "--warmup",
            paramLabel = "FRACTION",
            defaultValue = "0.05",
            description = "Fraction of the steps spent warming the learning rate up. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(
            names = "--final-lr-factor",
            paramLabel = "F",
            defaultValue = "0.1",
            description = "Learning rate at the end, as a fraction of --lr. Default: ${DEFAULT-VALUE}.")
    double finalLrFactor;

    @Option(
            names = "--clip",
            paramLabel = "NORM",
            defaultValue = "1.0",
            description = "Global gradient-norm bound; 0 turns clipping off. Default: ${DEFAULT-VALUE}.")
    double clip;

    @Option(
            names = "--aux",
            paramLabel = "KIND",
            defaultValue = "auxk",
            description =
                    "auxk: the variants that pick codes by top-k (topk, batchtopk, matryoshka) add AuxK, as train "
                            + "does by default; none: no auxiliary term. Default: ${DEFAULT-VALUE}.")
    String aux;

    @Option(
            names = "--center",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Subtract the data's mean row before training (saved with every model). Default: ${DEFAULT-VALUE}.")
    boolean center;

    @Option(
            names = "--scale",
            paramLabel = "S",
            description = "Multiply every value (after --center) by S, a number or auto, as for train. Default: none.")
    String scale;

    @Option(
            names = "--dtype",
            paramLabel = "TYPE",
            defaultValue = "float32",
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Seed of the initialisation and the batch order, the same for every cell. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description = "The sweep's directory: new or empty, or one to continue with --resume.")
    Path out;

    @Option(
            names = "--resume",
            defaultValue = "false",
            description =
                    "Continue the sweep in --out: finished cells are skipped, the others trained. Every option but "
                            + "--variants, --k, --l1, --jump-l1, --no-progress and those of the evaluation (--model and "
                            + "after it) must be as before. With --model, finished cells without its columns are "
                            + "evaluated from their saved models; those with columns keep them. Starts the sweep when "
                            + "--out holds none. Default: ${DEFAULT-VALUE}.")
    boolean resume;

    @Option(
            names = "--no-progress",
            defaultValue = "false",
            description = "Do not show the progress bar and the line per cell. Default: ${DEFAULT-VALUE}.")
    boolean noProgress;

    @Mixin
    SweepEvaluationOptions evaluationOptions;

    /**
     * Measures the downstream columns of every trained cell ({@code fraction_recovered}, ...) and
     * with them {@code frontier-fidelity.svg}; null for none. Set by a caller that embeds the command;
     * {@code --model} replaces it with {@link SweepEvaluation}.
     */
    DownstreamEvaluator evaluator;

    @Override
    public Integer call() {
        return Cli.run(spec, this::sweep);
    }

    private int sweep() throws CliException, IOException {
        CoderOptions.Kind kind = Cli.parse("--coder", coder, CoderOptions.Kind::parse);
        Cli.require(
                kind == CoderOptions.Kind.AUTOENCODER,
                "saekit sweep trains autoencoders only, not --coder " + kind.label + ": its frontier compares "
                        + "reconstructions of one data set, and a " + kind.label + " pairs several; train each "
                        + kind.label + " with saekit train --coder " + kind.label + " (and --l1 or --k per run)");
        SweepSettings settings = settings();
        SweepGrid grid = gridOptions.grid();
        checkDirectory();
        Cli.require(bufferRows > 0, "--buffer-rows must be > 0, was " + bufferRows);
        boolean inModel = evaluationOptions.requested();
        TrainingData training = TrainingData.load(
                        data, name, rowAxes, null, center, settings.dtype(), bufferRows, batchSize)
                .scaled(scale);
        gridOptions.checkCells(grid, settings, training.dataset().cols());
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("data      " + training.describe());
        stdout.println("grid      " + SweepGridOptions.describe(grid));
        stdout.flush();
        if (!inModel) {
            return run(grid, settings, training, evaluator);
        }
        try (SweepEvaluation inModelEvaluation =
                evaluationOptions.open(data, name, training.dataset().cols(), stdout)) {
            stdout.flush();
            return run(grid, settings, training, inModelEvaluation);
        }
    }

    /** Trains the cells, each measured by {@code downstream} too when it is not null, and writes the frontier. */
    private int run(SweepGrid grid, SweepSettings settings, TrainingData training, DownstreamEvaluator downstream)
            throws CliException, IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        SweepRunner.Builder runner = SweepRunner.builder(out, grid, settings, training.dataset())
                .preprocessing(new Preprocessing(training.mean(), training.scale()))
                .provenance(training.provenance(name))
                .evaluator(downstream)
                .resume(resume)
                .listener(
                        new SweepListener() { // the figures follow the frontier, cell by cell
                            @Override
                            public void onCellEnd(dev.saekit.sweep.CellResult r, SweepResult sweep) {
                                try {
                                    FrontierFiles.write(sweep);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }
                        });
        if (!noProgress) {
            runner.listener(new SweepProgressBar());
        }
        SweepResult result;
        try {
            result = runner.build().run();
        } catch (SweepMismatchException e) {
            throw mismatch(e);
        } catch (TrainingDivergedException e) {
            throw new CliException(SaekitCli.EXIT_DIVERGED, e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<Path> figures = FrontierFiles.write(result);
        stdout.println();
        stdout.print(result.table());
        stdout.println();
        stdout.println("wrote " + result.csv());
        figures.forEach(f -> stdout.println("wrote " + f));
        stdout.println("models in " + out.resolve(SweepRunner.CELLS) + "/<cell>/model (saekit encode --model "
                + result.cellDirectory(grid.cells().get(0)) + ")");
        return 0;
    }

    private SweepSettings settings() throws CliException {
        Cli.require(concepts > 0, "--concepts must be > 0, was " + concepts);
        Cli.require(epochs > 0, "--epochs must be > 0, was " + epochs);
        Cli.require(batchSize > 0, "--batch-size must be > 0, was " + batchSize);
        Cli.require(lr > 0 && Double.isFinite(lr), "--lr must be finite and > 0, was " + lr);
        Cli.require(
                weightDecay >= 0 && Double.isFinite(weightDecay),
                "--weight-decay must be finite and >= 0, was " + weightDecay);
        Cli.require(warmup >= 0 && warmup < 1, "--warmup must be in [0, 1), was " + warmup);
        Cli.require(
                finalLrFactor >= 0 && finalLrFactor <= 1, "--final-lr-factor must be in [0, 1], was " + finalLrFactor);
        Cli.require(
                clip >= 0 && Double.isFinite(clip),
                "--clip must be finite and >= 0 (0 turns clipping off), was " + clip);
        String auxKind = aux.toLowerCase(Locale.ROOT);
        Cli.require(
                auxKind.equals("auxk") || auxKind.equals("none"), "--aux: unknown '" + aux + "'; accepted: auxk, none");
        OptimizerConfig.Kind kind = Cli.parse("--optimizer", optimizer, OptimizerConfig.Kind::parse);
        return SweepSettings.builder(concepts)
                .dtype(Cli.parse("--dtype", dtype, DType::parse))
                .seed(seed)
                .epochs(epochs)
                .batchSize(batchSize)
                .optimizer(new OptimizerConfig(kind, lr, 0.9, 0.999, 1e-8, weightDecay))
                .schedule(Cli.parse("--schedule", schedule, s -> Schedule.parse(s, warmup, finalLrFactor)))
                .clipNorm(clip)
                .auxK(auxKind.equals("auxk"))
                .build();
    }

    /** Refuses, before the data is loaded, an --out that holds a sweep without --resume, or anything else. */
    private void checkDirectory() throws CliException, IOException {
        if (Files.isRegularFile(out.resolve(SweepRunner.MANIFEST))) {
            Cli.require(
                    resume,
                    "--out " + out + " holds a sweep already (" + SweepRunner.MANIFEST
                            + "); give --resume to train its missing cells, or a new --out");
            try {
                SweepManifest.read(out.resolve(SweepRunner.MANIFEST));
            } catch (IOException e) {
                throw new CliException(SaekitCli.EXIT_INPUT, e.getMessage());
            }
            return;
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                Cli.require(
                        entries.findAny().isEmpty(),
                        "--out " + out + " is not empty and holds no " + SweepRunner.MANIFEST
                                + "; give a new or empty directory");
            }
        } else {
            Cli.require(!Files.exists(out), "--out " + out + " is a file; give a directory (new or empty)");
        }
    }

    /** A resume with other settings, in the options' words. */
    private CliException mismatch(SweepMismatchException e) {
        String option = OPTIONS.getOrDefault(e.setting(), e.setting().startsWith("data.") ? "--data" : e.setting());
        return new CliException(
                SaekitCli.EXIT_USAGE,
                "--out " + out + " was swept with " + option + " " + e.recorded() + " (" + e.setting()
                        + "), and this run gives "
                        + e.given() + ": a resumed sweep keeps every option but --variants, --k, --l1 and --jump-l1; "
                        + "give the same options, or a new --out");
    }

    /** The option behind each shared setting of sweep.json. */
    private static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry("concepts", "--concepts"),
            Map.entry("dtype", "--dtype"),
            Map.entry("aux_k", "--aux"),
            Map.entry("training.epochs", "--epochs"),
            Map.entry("training.batch_size", "--batch-size"),
            Map.entry("training.seed", "--seed"),
            Map.entry("training.clip_norm", "--clip"),
            Map.entry("training.optimizer.kind", "--optimizer"),
            Map.entry("training.optimizer.learning_rate", "--lr"),
            Map.entry("training.optimizer.weight_decay", "--weight-decay"),
            Map.entry("training.schedule.kind", "--schedule"),
            Map.entry("training.schedule.warmup", "--warmup"),
            Map.entry("training.schedule.final_lr_factor", "--final-lr-factor"),
            Map.entry("data.centred", "--center"),
            Map.entry("data.scale", "--scale"));
}
