package dev.saekit.cli;

import dev.saekit.data.Dataset;
import dev.saekit.io.DataFileInfo;
import dev.saekit.io.DataLocation;
import dev.saekit.io.DataValueException;
import dev.saekit.metrics.Metrics;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@code saekit encode} hands to the step that encodes ({@link EncodeCommand#encode(EncodeJob)}):
 * the saved model, ready to encode, and the rows of one encode, opened by {@link EncodeCommand#open}
 * from its options. It encodes any run of whole blocks: the blocks are those of one pass over all
 * rows ({@code --batch-size} rows, a block not spanning two shards), so a row's codes are the same
 * bits whichever range it is encoded in. The single-machine command encodes all rows in one pass;
 * {@code saekit spark encode} encodes ranges of them in tasks that parsed the same command line.
 */
public final class EncodeJob {
    private final SparseAutoencoder sae;
    private final boolean skip;
    private final Dataset layers;
    private final DataLocation location;
    private final INDArray shift;
    private final double scale;
    private final Path data;
    private final String name;
    private final int rowAxes;
    private final int batchSize;
    private final boolean sparse;
    private final Path out;

    /**
     * A job over a crosscoder's side-by-side {@code layers} or the rows at {@code location} (the
     * other null), centred by {@code shift} (or not, if null) and multiplied by {@code scale};
     * {@code skip} leaves bad rows out rather than failing. The rest are encode's options: {@code
     * --data}, {@code --name}, {@code --row-axes}, {@code --batch-size}, {@code --sparse} and {@code
     * --out} (named in warnings).
     */
    EncodeJob(
            SparseAutoencoder sae,
            boolean skip,
            Dataset layers,
            DataLocation location,
            INDArray shift,
            double scale,
            Path data,
            String name,
            int rowAxes,
            int batchSize,
            boolean sparse,
            Path out) {
        this.sae = sae;
        this.skip = skip;
        this.layers = layers;
        this.location = location;
        this.shift = shift;
        this.scale = scale;
        this.data = data;
        this.name = name;
        this.rowAxes = rowAxes;
        this.batchSize = batchSize;
        this.sparse = sparse;
        this.out = out;
    }

    /** The model that encodes the rows. */
    SparseAutoencoder model() {
        return sae;
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
        List<Long> starts = new ArrayList<>();
        long first = 0;
        if (location == null) {
            for (long r = 0; r < rows(); r += batchSize) {
                starts.add(r);
            }
        } else {
            for (DataFileInfo a : location.arrays()) {
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
    public CodeSink sink(Path file) throws IOException {
        return sparse ? new CsrCodeSink(file, sae.nbConcepts()) : new NpyCodeSink(file, sae.nbConcepts());
    }

    /**
     * Encodes the rows {@code [from, to)} (block starts of {@link #blockStarts}) into {@code sink}
     * without committing it, naming the first {@value EncodeCommand#NAMED_SKIPS} skipped rows on {@code err};
     * {@code progress} hears the row reached after each block.
     */
    public EncodeCounts encode(long from, long to, CodeSink sink, PrintWriter err, LongConsumer progress)
            throws IOException {
        long[] counts = new long[2]; // rows kept, rows skipped
        Buffers input = new Buffers(sae.dtype());
        List<Double> active = new ArrayList<>();
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
            INDArray rows = good == null || good.length == n ? block : good.length == 0 ? null : block.getRows(good);
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
                active.add(Metrics.l0PerSample(codes) * codes.rows());
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
        return new EncodeCounts(
                counts[0],
                counts[1],
                active.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The shards of the data that hold rows of {@code [from, to)}, and in {@code offset[0]} the row
     * where the first of them starts; the whole data when it is one file or all of it is asked.
     */
    private DataLocation shards(long from, long to, long[] offset) throws IOException {
        if (from == 0 && to == location.rows()) {
            offset[0] = 0;
            return location;
        }
        return location.shardsHolding(from, to, offset);
    }

    /**
     * The error to report for a failure while encoding: a bad value, unreadable data; a file that
     * could not be written is thrown as it is.
     */
    public CliException failure(Exception e) throws IOException {
        if (e instanceof CliException c) {
            return c;
        }
        if (e instanceof DataValueException) {
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

    /**
     * The rows of {@code block} (rows {@code first} onward, read as float64) that the model's
     * {@code dtype} can hold: finite, and within float32's range for a float32 model. Each other row
     * is left out with a warning (the first {@value EncodeCommand#NAMED_SKIPS} by name), its first bad value named
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
            } else if (++skipped <= EncodeCommand.NAMED_SKIPS) {
                double v = values[r * cols + bad];
                err.println("warning: " + data + " has " + v + " at row " + (first + r) + ", column " + bad
                        + (Double.isFinite(v) ? " (beyond " + dtype + "'s range)" : "")
                        + ": skipped (its codes are left out of " + out + ")");
            }
        }
        return Arrays.copyOf(good, count);
    }

    /** Stops a pass over the rows at the end of the range encoded. */
    private static final class Past extends RuntimeException {
        Past() {
            super(null, null, false, false);
        }
    }
}
