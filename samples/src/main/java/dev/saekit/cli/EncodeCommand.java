package dev.saekit.cli;

import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataLocation;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit encode}: the codes of a saved model for every row of a data file, written a batch at
 * a time: as a dense {@code .npy} {@code [rows, concepts]} (float32), or with {@code --sparse} as the
 * non-zero codes only (CSR in safetensors). Every row is checked before it is encoded: a NaN or an
 * infinity is refused with its row and column, or with {@code --bad-rows skip} left out with a warning.
 * A transcoder reads its input rows alone (its codes do not depend on its target); a crosscoder
 * reads its layers side by side, named as for train ({@code --name residual:2,residual:4}).
 */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Encode a data file with a saved model and write its codes, a batch of rows at a time:",
            "dense [rows, concepts] float32 .npy, or with --sparse the non-zero codes as CSR in a .safetensors file."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:bad input data, a model or a file that cannot be read or written",
            "2:bad command line or option value",
            "4:not enough memory"
        })
public class EncodeCommand implements Callable<Integer> {
    /** Skipped rows named one by one on the error stream before a count takes over. */
    public static final int NAMED_SKIPS = 10;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            required = true,
            description =
                    "A checkpoint: the run directory of `train --out` (its model/), its model/ or checkpoints/ directory, or one step-N directory.")
    Path model;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            required = true,
            description =
                    "A .npy, .npz, .safetensors or IDX (.gz) file, or a directory or glob of such shards, or a harvest directory, whose rows have the "
                            + "model's input width. Read a block of rows at a time, in bounded memory.")
    Path data;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description =
                    "The array to read from an .npz or .safetensors file with several, or the tap of a harvest directory with several. "
                            + "A crosscoder's layers, comma-separated and in training order: residual:2,residual:4.")
    String name;

    @Option(
            names = "--row-axes",
            paramLabel = "K",
            defaultValue = "1",
            description =
                    "How many leading axes of the data index rows, as for train: 2 reads token activations [n, t, d] as n*t "
                            + "rows of width d. Default: ${DEFAULT-VALUE}.")
    int rowAxes;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            required = true,
            description =
                    "Where to write the codes: a .npy file, or a .safetensors file with --sparse. Written completely or not at all.")
    Path out;

    @Option(
            names = "--sparse",
            defaultValue = "false",
            description =
                    "Write only the non-zero codes, as CSR in safetensors: indptr (int64 [rows + 1]), indices (int64, the "
                            + "concept of each code), values (float32); metadata format=csr, shape=[rows, concepts]. Default: ${DEFAULT-VALUE}.")
    boolean sparse;

    @Option(
            names = "--bad-rows",
            paramLabel = "POLICY",
            defaultValue = "fail",
            description =
                    "A row with a NaN or an infinity: fail (stop with its row and column) or skip (leave it out of the codes, "
                            + "with a warning naming it). Default: ${DEFAULT-VALUE}.")
    String badRows;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "1024",
            description = "Rows encoded at once. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--[no-]center",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Subtract the training data's mean saved with the model (if it was centred). Default: ${DEFAULT-VALUE}.")
    boolean center;

    @Option(
            names = "--no-progress",
            defaultValue = "false",
            description = "No progress bar. Default: ${DEFAULT-VALUE}.")
    boolean noProgress;

    @Override
    public Integer call() {
        return Cli.run(spec, this::encode);
    }

    private int encode() throws CliException, IOException {
        return encode(open());
    }

    /**
     * Encodes the rows of {@code job} into {@code --out} and reports them: here in one pass; a
     * command that spreads the rows over a cluster encodes them in parts and assembles them.
     */
    protected int encode(EncodeJob job) throws CliException, IOException {
        PrintWriter err = spec.commandLine().getErr();
        EncodeCounts counts;
        try (CodeSink sink = job.sink(out);
                ProgressBar bar = Cli.progressBar("encoding", job.rows(), noProgress)) {
            counts = job.encode(0, job.rows(), sink, err, row -> {
                if (bar != null) {
                    bar.stepTo(row);
                }
            });
            sink.commit();
        } catch (IOException | RuntimeException e) {
            throw job.failure(e);
        }
        report(job, counts);
        return 0;
    }

    /** The warning that ends a run with many skipped rows, and the line that names what was written. */
    protected final void report(EncodeJob job, EncodeCounts counts) {
        report(job, counts, out.toString());
    }

    /** {@link #report(EncodeJob, EncodeCounts)} naming {@code written} as what holds the codes. */
    protected final void report(EncodeJob job, EncodeCounts counts, String written) {
        long kept = counts.kept();
        long skipped = counts.skipped();
        double active = 0;
        for (double a : counts.blockActive()) { // in row order, as the blocks were encoded
            active += a;
        }
        if (skipped > NAMED_SKIPS) {
            spec.commandLine()
                    .getErr()
                    .printf(Locale.ROOT, "warning: %d rows in all were skipped for NaN or infinite values%n", skipped);
        }
        spec.commandLine()
                .getOut()
                .printf(
                        Locale.ROOT,
                        "wrote %s: %d rows x %d concepts%s (%s, %.2f active per row)%s%n",
                        written,
                        kept,
                        job.concepts(),
                        sparse ? " as CSR" : "",
                        job.model().spec().variant().name(),
                        kept == 0 ? 0.0 : active / kept,
                        skipped > 0 ? ", " + skipped + (skipped == 1 ? " row skipped" : " rows skipped") : "");
    }

    /** This command's parsed command line. */
    protected final CommandSpec commandSpec() {
        return spec;
    }

    /** Where the codes go: {@code --out}. */
    protected final Path out() {
        return out;
    }

    /** Rows encoded at once: {@code --batch-size}. */
    protected final int batchSize() {
        return batchSize;
    }

    /** Whether the codes are written as CSR ({@code --sparse}). */
    protected final boolean sparse() {
        return sparse;
    }

    /**
     * Checks the options and opens the model and the data: what encodes the rows, here or in a task
     * on another machine that parsed the same command line.
     */
    public EncodeJob open() throws CliException, IOException {
        Cli.require(batchSize > 0, "--batch-size must be > 0, was " + batchSize);
        boolean skip = switch (badRows.toLowerCase(Locale.ROOT)) {
            case "fail" -> false;
            case "skip" -> true;
            default ->
                throw new CliException(
                        SaekitCli.EXIT_USAGE, "--bad-rows: unknown '" + badRows + "'; accepted: fail, skip");
        };
        String file = out.getFileName().toString();
        Cli.require(
                !sparse || file.endsWith(".safetensors"),
                "--sparse writes safetensors: give --out a name ending in .safetensors, was " + out);
        Cli.require(
                sparse || !file.endsWith(".safetensors"),
                "--out " + out + " names a safetensors file: give --sparse to write "
                        + "the non-zero codes there, or a .npy name for the dense codes");
        Cli.require(rowAxes >= 1, "--row-axes must be >= 1, was " + rowAxes);
        Checkpoint checkpoint = Checkpoints.load(model);
        SparseAutoencoder sae = checkpoint.model();
        // a crosscoder's layers named in --name (A,B) are read side by side, streamed; without --name its --data is one
        // array whose rows hold every layer side by side, read as any other model's data, a block at a time
        boolean crosscoder = sae.coder() instanceof CoderSpec.Crosscoder && name != null;
        dev.saekit.data.Dataset layers = crosscoder ? crosscoderRows(sae, skip) : null;
        DataLocation location = null;
        if (!crosscoder) {
            try {
                location = DataLocation.open(data.toString(), name, rowAxes);
            } catch (IOException | RuntimeException e) {
                throw DataErrors.of(e, data.toString(), name != null);
            }
        }
        if (location != null && location.cols() != sae.inputDim()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    location.describe() + " has rows of width " + location.cols() + " ("
                            + location.layoutText() + ") but the model expects width " + sae.inputDim()
                            + (location.arrays().get(0).shape().length > 2 && rowAxes == 1
                                    ? "; for token activations [n, t, d] give --row-axes 2"
                                    : ""));
        }
        INDArray mean = center ? checkpoint.attachments().get(RunFiles.MEAN_ATTACHMENT) : null;
        INDArray shift = mean == null ? null : Tensors.copy(mean, sae.dtype()).reshape(1, sae.inputDim());
        INDArray scaleAttachment = checkpoint.attachments().get(TrainingData.SCALE_ATTACHMENT);
        double scale = scaleAttachment == null ? 1.0 : scaleAttachment.getDouble(0);
        sae.eval();
        return new EncodeJob(sae, skip, layers, location, shift, scale, data, name, rowAxes, batchSize, sparse, out);
    }

    /**
     * A crosscoder's layers, the names of {@code --name} in {@code --data}, side by side and in row
     * order; refused where their widths do not add up to the model's input.
     */
    private dev.saekit.data.Dataset crosscoderRows(SparseAutoencoder sae, boolean skip) throws CliException {
        CoderSpec.Crosscoder c = (CoderSpec.Crosscoder) sae.coder();
        Cli.require(
                !skip,
                "--bad-rows skip reads one array; a crosscoder's layers are read side by side, and a NaN or an "
                        + "infinity in any of them stops the run (naming it): fix the data, or leave --bad-rows out");
        Cli.require(
                name.split(",").length == c.layers(),
                model + " is a crosscoder over " + c.layers() + " layers: name them in --name, comma-separated "
                        + "and in training order (--name residual:2,residual:4), or leave --name out for one array "
                        + "whose rows hold them side by side");
        CoderData parts = CoderData.of(CoderOptions.Kind.CROSSCODER, data, name, null, null);
        dev.saekit.data.Dataset rows = parts.openInOrder(CoderOptions.Kind.CROSSCODER, rowAxes, sae.dtype());
        if (rows.cols() != sae.inputDim()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    rows.description() + " has rows of width " + rows.cols() + " side by side, but the crosscoder "
                            + "expects " + c.layers() + " layers of " + c.layerDim(sae.inputDim()) + " ("
                            + sae.inputDim() + ")");
        }
        return rows;
    }
}
