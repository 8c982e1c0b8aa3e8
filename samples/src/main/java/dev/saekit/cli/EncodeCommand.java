package dev.saekit.cli;

import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataLocation;
import dev.saekit.io.NpyRowWriter;
import dev.saekit.io.Safetensors;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
    protected int encode(Job job) throws CliException, IOException {
        PrintWriter err = spec.commandLine().getErr();
        Counts counts;
        try (Sink sink = job.sink(out);
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
    protected final void report(Job job, Counts counts) {
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
                        out,
                        kept,
                        job.concepts(),
                        sparse ? " as CSR" : "",
                        job.sae.spec().variant().name(),
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
    public Job open() throws CliException, IOException {
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
        return new Job(sae, skip, layers, location, shift, scale);
    }

    /** What was encoded: rows kept and skipped, and each encoded block's active codes (its L0 sum). */
    public record Counts(long kept, long skipped, double[] blockActive) {}

    /**
     * The model and the rows of one encode, ready to encode any run of whole blocks: the blocks are
     * those of one pass over all rows ({@code --batch-size} rows, a block not spanning two shards),
     * so a row's codes are the same bits whichever range it is encoded in.
     */
    public final class Job {
        private final SparseAutoencoder sae;
        private final boolean skip;
        private final dev.saekit.data.Dataset layers;
        private final DataLocation location;
        private final INDArray shift;
        private final double scale;

        private Job(
                SparseAutoencoder sae,
                boolean skip,
                dev.saekit.data.Dataset layers,
                DataLocation location,
                INDArray shift,
                double scale) {
            this.sae = sae;
            this.skip = skip;
            this.layers = layers;
            this.location = location;
            this.shift = shift;
            this.scale = scale;
        }

        /** Rows of the data. */
        public long rows() {
            return layers != null ? layers.rows() : location.rows();
        }

        /** Codes per row. */
        public int concepts() {
            return sae.nbConcepts();
        }

        /**
         * Where blocks may start, ascending, the last the row count: with shards, each shard's start
         * and every {@code --batch-size} rows after it; a crosscoder's side-by-side layers, every
         * {@code --batch-size} rows.
         */
        public long[] blockStarts() {
            java.util.List<Long> starts = new java.util.ArrayList<>();
            long first = 0;
            if (location == null) {
                for (long r = 0; r < rows(); r += batchSize) {
                    starts.add(r);
                }
            } else {
                for (dev.saekit.io.DataFileInfo a : location.arrays()) {
                    for (long r = 0; r < a.layout().rows(); r += batchSize) {
                        starts.add(first + r);
                    }
                    first += a.layout().rows();
                }
            }
            starts.add(rows());
            return starts.stream().distinct().mapToLong(Long::longValue).toArray();
        }

        /** A sink that writes the codes into {@code file}, as {@code --out} is written. */
        public Sink sink(Path file) throws IOException {
            return sparse ? new CsrSink(file, sae.nbConcepts()) : new NpySink(file, sae.nbConcepts());
        }

        /**
         * Encodes the rows {@code [from, to)} (block starts of {@link #blockStarts}) into {@code sink}
         * without committing it, naming the first {@value #NAMED_SKIPS} skipped rows on {@code err};
         * {@code progress} hears the row reached after each block.
         */
        public Counts encode(long from, long to, Sink sink, PrintWriter err, java.util.function.LongConsumer progress)
                throws IOException {
            long[] counts = new long[2]; // rows kept, rows skipped
            dev.saekit.tensor.Buffers input = new dev.saekit.tensor.Buffers(sae.dtype());
            java.util.List<Double> active = new java.util.ArrayList<>();
            DataLocation.RowBlockConsumer encodeBlock = (firstRow, block) -> {
                int n = (int) block.rows();
                if (firstRow + n <= from) {
                    return;
                }
                if (firstRow >= to) {
                    throw new Past();
                }
                if (firstRow < from || firstRow + n > to) {
                    throw new IllegalStateException("the block of rows [" + firstRow + ", " + (firstRow + n)
                            + ") crosses the range [" + from + ", " + to + ")");
                }
                int[] good = skip ? goodRows(block, firstRow, sae.dtype(), err, counts[1]) : null;
                counts[1] += good == null ? 0 : n - good.length;
                INDArray rows =
                        good == null || good.length == n ? block : good.length == 0 ? null : block.getRows(good);
                if (rows != null) {
                    // a reused array (the reader reuses its block, and the forward keeps its input until the next one)
                    INDArray in = input.get("in", rows.rows(), rows.columns()).assign(rows);
                    if (shift != null) {
                        in.subiRowVector(shift);
                    }
                    if (scale != 1.0) { // as the model's training data was
                        in.muli(scale);
                    }
                    INDArray codes = sae.forward(in).codes();
                    active.add(dev.saekit.metrics.Metrics.l0PerSample(codes) * codes.rows());
                    sink.append(codes);
                    counts[0] += codes.rows();
                }
                progress.accept(firstRow + n);
            };
            try {
                if (layers != null) {
                    long first = 0;
                    for (INDArray block : layers.batchesInOrder(batchSize)) {
                        encodeBlock.accept(first, block);
                        first += block.rows();
                    }
                } else {
                    // only the shards that hold rows of the range are read: their blocks are the pass's
                    long[] offset = {0};
                    DataLocation shards = shards(from, to, offset);
                    // skipping reads float64 and checks each row here; failing lets the reader check every value
                    // as stored
                    shards.forEachRowBlock(
                            skip ? DType.FLOAT64 : sae.dtype(),
                            batchSize,
                            !skip,
                            (first, block) -> encodeBlock.accept(offset[0] + first, block));
                }
            } catch (Past past) {
                // the rows after the range are not read
            }
            return new Counts(
                    counts[0],
                    counts[1],
                    active.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /**
         * The shards of the data that hold rows of {@code [from, to)}, and in {@code offset[0]} the row
         * where the first of them starts; the whole data when it is one file or all of it is asked.
         */
        private DataLocation shards(long from, long to, long[] offset) throws IOException {
            if (location.isSingleFile() || (from == 0 && to == location.rows())) {
                return location;
            }
            java.util.List<Path> files = new java.util.ArrayList<>();
            long first = 0;
            for (dev.saekit.io.DataFileInfo a : location.arrays()) {
                long end = first + a.layout().rows();
                if (end > from && first < to) {
                    if (files.isEmpty()) {
                        offset[0] = first;
                    }
                    files.add(a.path());
                }
                first = end;
            }
            // a harvest directory's --name chose its tap's files, each of which holds one array
            boolean harvest =
                    java.nio.file.Files.isRegularFile(data.resolve(dev.saekit.io.ActivationManifest.FILE_NAME));
            return DataLocation.of(files, harvest ? null : name, rowAxes);
        }

        /**
         * The error to report for a failure while encoding: a bad value, unreadable data; a file that
         * could not be written is thrown as it is.
         */
        public CliException failure(Exception e) throws IOException {
            if (e instanceof CliException c) {
                return c;
            }
            if (e instanceof dev.saekit.io.DataValueException) {
                String training = "; remove or impute such rows before training";
                String m = e.getMessage();
                return new CliException(
                        SaekitCli.EXIT_INPUT,
                        m.endsWith(training)
                                ? m.substring(0, m.length() - training.length())
                                        + "; fix the data, or give --bad-rows skip to leave such rows out"
                                : m + " (or give --bad-rows skip to leave such rows out)");
            }
            if (e.getMessage() != null && e.getMessage().startsWith("could not write")) {
                if (e instanceof IOException io) {
                    throw io;
                }
                throw (RuntimeException) e;
            }
            return DataErrors.of(e, data.toString(), name != null);
        }
    }

    /** Stops a pass over the rows at the end of the range encoded. */
    private static final class Past extends RuntimeException {
        Past() {
            super(null, null, false, false);
        }
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

    /**
     * The rows of {@code block} (rows {@code first} onward, read as float64) that the model's
     * {@code dtype} can hold: finite, and within float32's range for a float32 model. Each other row
     * is left out with a warning (the first {@value #NAMED_SKIPS} by name), its first bad value named
     * as the file stores it.
     */
    private int[] goodRows(INDArray block, long first, DType dtype, PrintWriter err, long skippedBefore) {
        int n = (int) block.rows();
        int cols = (int) block.columns();
        double limit = dtype == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        double[] values = block.reshape(block.length()).toDoubleVector(); // the reader reuses block: a copy of its rows
        int[] good = new int[n];
        int count = 0;
        long skipped = skippedBefore;
        for (int r = 0; r < n; r++) {
            int bad = -1;
            for (int j = 0; j < cols && bad < 0; j++) {
                double v = values[r * cols + j];
                bad = Double.isFinite(v) && Math.abs(v) <= limit ? -1 : j;
            }
            if (bad < 0) {
                good[count++] = r;
            } else if (++skipped <= NAMED_SKIPS) {
                double v = values[r * cols + bad];
                err.println("warning: " + data + " has " + v + " at row " + (first + r) + ", column " + bad
                        + (Double.isFinite(v) ? " (beyond " + dtype + "'s range)" : "")
                        + ": skipped (its codes are left out of " + out + ")");
            }
        }
        return Arrays.copyOf(good, count);
    }

    /** Where the codes go, a batch at a time; nothing is left behind unless {@link #commit} succeeds. */
    public interface Sink extends AutoCloseable {
        /** Appends the codes of a block of rows. */
        void append(INDArray codes) throws IOException;

        /** Writes the file completely, in place. */
        void commit() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Dense codes, streamed into a {@code .npy}. */
    private static final class NpySink implements Sink {
        private final NpyRowWriter writer;

        NpySink(Path out, int concepts) throws IOException {
            writer = NpyRowWriter.open(out, DType.FLOAT32, concepts);
        }

        @Override
        public void append(INDArray codes) throws IOException {
            writer.append(codes);
        }

        @Override
        public void commit() throws IOException {
            writer.commit();
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }

    /**
     * The non-zero codes as CSR, gathered in memory (their count, not the dense size: 12 bytes per code
     * and 8 per row) and written as safetensors, atomically, at the end.
     */
    public static final class CsrSink implements Sink {
        private final Path out;
        private final int concepts;
        private final SparseCodes scratch = new SparseCodes();
        private long[] indptr = new long[1024];
        private long[] indices = new long[4096];
        private float[] values = new float[4096];
        private int rows;
        private int nnz;

        CsrSink(Path out, int concepts) {
            this.out = out;
            this.concepts = concepts;
        }

        @Override
        public void append(INDArray codes) {
            SparseCodes s = SparseCodes.of(codes, scratch); // the forward's own contiguous buffer: no copy
            double[] v = s.values();
            for (int r = 0; r < s.rows(); r++) {
                if (rows + 1 >= indptr.length) {
                    indptr = Arrays.copyOf(indptr, indptr.length * 2);
                }
                for (int e = s.rowStart(r); e < s.rowStart(r + 1); e++) {
                    if (nnz == indices.length) {
                        indices = Arrays.copyOf(indices, Math.multiplyExact(indices.length, 2));
                        values = Arrays.copyOf(values, indices.length);
                    }
                    indices[nnz] = s.concept(e);
                    values[nnz] = (float) v[e];
                    nnz++;
                }
                indptr[++rows] = nnz;
            }
        }

        /**
         * Appends rows given as CSR: {@code indptr} ({@code rows + 1} offsets from 0), the concept and
         * value of each code, as {@link #commit} writes them.
         */
        public void appendCsr(long[] rowPtr, long[] concepts, float[] codes) {
            int n = rowPtr.length - 1;
            int count = Math.toIntExact(rowPtr[n]);
            while (rows + n >= indptr.length) {
                indptr = Arrays.copyOf(indptr, Math.multiplyExact(indptr.length, 2));
            }
            while (nnz + count > indices.length) {
                indices = Arrays.copyOf(indices, Math.multiplyExact(indices.length, 2));
                values = Arrays.copyOf(values, indices.length);
            }
            System.arraycopy(concepts, 0, indices, nnz, count);
            System.arraycopy(codes, 0, values, nnz, count);
            for (int r = 1; r <= n; r++) {
                indptr[rows + r] = nnz + rowPtr[r];
            }
            rows += n;
            nnz += count;
        }

        @Override
        public void commit() throws IOException {
            Safetensors.write(
                    out,
                    Map.of(
                            "indptr", Nd4j.createFromArray(Arrays.copyOf(indptr, rows + 1)),
                            "indices", Nd4j.createFromArray(Arrays.copyOf(indices, Math.max(nnz, 0))),
                            "values", Nd4j.createFromArray(Arrays.copyOf(values, nnz))),
                    Map.of("format", "csr", "shape", "[" + rows + ", " + concepts + "]"));
        }

        @Override
        public void close() {}
    }
}
