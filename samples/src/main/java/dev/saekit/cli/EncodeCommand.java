package dev.saekit.cli;

import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataFiles;
import dev.saekit.io.DataMatrix;
import dev.saekit.io.NpyRowWriter;
import dev.saekit.io.Safetensors;
import dev.saekit.kernel.SparseCodes;
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
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit encode}: the codes of a saved model for every row of a data file, written a batch at
 * a time: as a dense {@code .npy} {@code [rows, concepts]} (float32), or with {@code --sparse} as the
 * non-zero codes only (CSR in safetensors). Every row is checked before it is encoded: a NaN or an
 * infinity is refused with its row and column, or with {@code --bad-rows skip} left out with a warning.
 */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Encode a data file with a saved model and write its codes, a batch of rows at a time:",
            "dense [rows, concepts] float32 .npy, or with --sparse the non-zero codes as CSR in a .safetensors file."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:bad input data, a model or a file that cannot be read or written",
            "2:bad command line or option value", "4:not enough memory"})
public final class EncodeCommand implements Callable<Integer> {
    /** Skipped rows named one by one on the error stream before a count takes over. */
    static final int NAMED_SKIPS = 10;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "A checkpoint: the model directory of `train --out`, a checkpoint root, or one step-N directory.")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "A .npy, .npz, .safetensors or IDX (.gz) file whose rows have the model's input width.")
    Path data;

    @Option(names = "--name", paramLabel = "NAME", description = "The array to read from an .npz or .safetensors file with several.")
    String name;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "Where to write the codes: a .npy file, or a .safetensors file with --sparse. Written completely or not at all.")
    Path out;

    @Option(names = "--sparse", defaultValue = "false",
            description = "Write only the non-zero codes, as CSR in safetensors: indptr (int64 [rows + 1]), indices (int64, the "
                    + "concept of each code), values (float32); metadata format=csr, shape=[rows, concepts]. Default: ${DEFAULT-VALUE}.")
    boolean sparse;

    @Option(names = "--bad-rows", paramLabel = "POLICY", defaultValue = "fail",
            description = "A row with a NaN or an infinity: fail (stop with its row and column) or skip (leave it out of the codes, "
                    + "with a warning naming it). Default: ${DEFAULT-VALUE}.")
    String badRows;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1024", description = "Rows encoded at once. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--[no-]center", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Subtract the training data's mean saved with the model (if it was centred). Default: ${DEFAULT-VALUE}.")
    boolean center;

    @Option(names = "--no-progress", defaultValue = "false", description = "No progress bar. Default: ${DEFAULT-VALUE}.")
    boolean noProgress;

    @Override
    public Integer call() {
        return Cli.run(spec, this::encode);
    }

    private int encode() throws CliException, IOException {
        Cli.require(batchSize > 0, "--batch-size must be > 0, was " + batchSize);
        boolean skip = switch (badRows.toLowerCase(Locale.ROOT)) {
            case "fail" -> false;
            case "skip" -> true;
            default -> throw new CliException(SaekitCli.EXIT_USAGE, "--bad-rows: unknown '" + badRows + "'; accepted: fail, skip");
        };
        String file = out.getFileName().toString();
        Cli.require(!sparse || file.endsWith(".safetensors"), "--sparse writes safetensors: give --out a name ending in .safetensors, was "
                + out);
        Cli.require(sparse || !file.endsWith(".safetensors"), "--out " + out + " names a safetensors file: give --sparse to write "
                + "the non-zero codes there, or a .npy name for the dense codes");
        Checkpoint checkpoint = Checkpoints.load(model);
        SparseAutoencoder sae = checkpoint.model();
        DataMatrix matrix = DataFiles.read(data, name);
        INDArray x = matrix.matrix();
        if (x.columns() != sae.inputDim()) {
            throw new CliException(SaekitCli.EXIT_INPUT, data + " has rows of width " + x.columns() + " (shape "
                    + Arrays.toString(matrix.info().shape()) + ") but the model expects width " + sae.inputDim());
        }
        INDArray mean = center ? checkpoint.attachments().get(RunFiles.MEAN_ATTACHMENT) : null;
        INDArray shift = mean == null ? null : Tensors.copy(mean, sae.dtype()).reshape(1, sae.inputDim());
        sae.eval();
        PrintWriter err = spec.commandLine().getErr();
        long rows = x.rows();
        long kept = 0;
        long skipped = 0;
        double active = 0;
        try (Sink sink = sparse ? new CsrSink(out, sae.nbConcepts()) : new NpySink(out, sae.nbConcepts());
             ProgressBar bar = progress(rows)) {
            for (long from = 0; from < rows; from += batchSize) {
                long to = Math.min(rows, from + batchSize);
                INDArray batch = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
                int[] good = goodRows(batch, from, skip, err, skipped);
                skipped += (to - from) - good.length;
                if (good.length == 0) {
                    continue;
                }
                INDArray rowsToEncode = good.length == to - from ? batch.dup('c') : batch.getRows(good).dup('c');
                INDArray in = Tensors.copy(rowsToEncode, sae.dtype());
                if (shift != null) {
                    in.subiRowVector(shift);
                }
                INDArray codes = sae.forward(in).codes();
                active += dev.saekit.metrics.Metrics.l0PerSample(codes) * good.length;
                sink.append(codes);
                kept += good.length;
                if (bar != null) {
                    bar.stepTo(to);
                }
            }
            sink.commit(kept);
        }
        if (skipped > NAMED_SKIPS) {
            err.printf(Locale.ROOT, "warning: %d rows in all were skipped for NaN or infinite values%n", skipped);
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d rows x %d concepts%s (%s, %.2f active per row)%s%n", out, kept,
                sae.nbConcepts(), sparse ? " as CSR" : "", sae.variant(), kept == 0 ? 0.0 : active / kept,
                skipped > 0 ? ", " + skipped + " rows skipped" : "");
        return 0;
    }

    /**
     * The rows of {@code batch} (row {@code first} of the file onward) whose values are all finite. A
     * row that is not: an error with its row and column, or, when {@code skip}, a warning (the first
     * {@value #NAMED_SKIPS} by name) and the row left out.
     */
    private int[] goodRows(INDArray batch, long first, boolean skip, PrintWriter err, long skippedBefore) throws CliException {
        int n = (int) batch.rows();
        if (Tensors.allFinite(batch)) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] good = new int[n];
        int count = 0;
        long skipped = skippedBefore;
        for (int r = 0; r < n; r++) {
            double[] row = batch.getRow(r).castTo(DataType.DOUBLE).toDoubleVector();
            int bad = -1;
            for (int j = 0; j < row.length && bad < 0; j++) {
                bad = Double.isFinite(row[j]) ? -1 : j;
            }
            if (bad < 0) {
                good[count++] = r;
                continue;
            }
            String what = data + ": row " + (first + r) + " has " + row[bad] + " at column " + bad;
            if (!skip) {
                throw new CliException(SaekitCli.EXIT_INPUT, what + "; fix the data, or give --bad-rows skip to leave such rows out");
            }
            if (++skipped <= NAMED_SKIPS) {
                err.println("warning: " + what + ": skipped (its codes are left out of " + out + ")");
            }
        }
        return Arrays.copyOf(good, count);
    }

    private ProgressBar progress(long rows) {
        if (noProgress || System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("encoding").setInitialMax(rows).setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }

    /** Where the codes go, a batch at a time; nothing is left behind unless {@link #commit} succeeds. */
    private interface Sink extends AutoCloseable {
        void append(INDArray codes) throws IOException;

        void commit(long rows) throws IOException;

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
        public void commit(long rows) throws IOException {
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
    private static final class CsrSink implements Sink {
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
            SparseCodes s = SparseCodes.of(codes.dup('c'), scratch);
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

        @Override
        public void commit(long kept) throws IOException {
            Safetensors.write(out, Map.of(
                    "indptr", Nd4j.createFromArray(Arrays.copyOf(indptr, rows + 1)),
                    "indices", Nd4j.createFromArray(Arrays.copyOf(indices, Math.max(nnz, 0))),
                    "values", Nd4j.createFromArray(Arrays.copyOf(values, nnz))),
                    Map.of("format", "csr", "shape", "[" + rows + ", " + concepts + "]"));
        }

        @Override
        public void close() {
        }
    }
}
