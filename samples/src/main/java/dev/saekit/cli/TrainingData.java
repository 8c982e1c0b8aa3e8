package dev.saekit.cli;

import dev.saekit.data.Dataset;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.io.DataLocation;
import dev.saekit.io.DataProvenance;
import dev.saekit.io.ElementType;
import dev.saekit.io.ShardedDataset;
import dev.saekit.samples.EmbeddedData;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.MemoryBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows a run trains on, from {@code --data}: one data file of any format saekit reads
 * ({@code .npy}, {@code .npz}, safetensors, IDX plain or {@code .gz}) loaded into memory, or a
 * directory or glob of shards of any of them streamed from disk ({@link ShardedDataset}); the
 * embedded GloVe set without {@code --data}. Every array becomes a matrix by one rule: the first
 * {@code --row-axes} axes (1 by default) index rows and the others flatten into each row, and the
 * {@code data} line says what was done.
 *
 * <p>Every value is checked as the file stores it, before centring or conversion, against the
 * dtype of the run, and before training starts: an in-memory file as it is loaded, streamed
 * shards in one pass (the pass that computes the mean when centring). A NaN, an infinity or a
 * float64 beyond float32's range is one line naming the file, row, column and stored index.
 * Sizes are checked before anything large is allocated: a file with more values than one
 * in-memory array holds, or more than the memory the process may use, and rows too wide for a
 * batch, are refused with what to do instead (exit code 4).
 *
 * @param dataset the rows the model sees (centred if {@code mean} is not null)
 * @param mean    the mean row that was subtracted, or null
 * @param source  where the data came from (a path, a glob or the embedded set's description)
 * @param layout  how the arrays became rows ({@code flattened [60000, 28, 28] to 60000 rows x 784}), or null
 * @param stored  the element type(s) as stored ({@code uint8}, {@code float16, float32}), or null
 * @param scale   the factor every (centred) value was multiplied by; 1 for none
 * @param scaleSource how {@code scale} was chosen, for the log ({@code --scale auto: 1 / root mean square 72.9})
 * @param location the files read, or null for the embedded set
 */
record TrainingData(
        Dataset dataset,
        INDArray mean,
        String source,
        String layout,
        String stored,
        double scale,
        String scaleSource,
        DataLocation location) {

    /** The attachment of a model that holds the factor its inputs were multiplied by (after centring). */
    static final String SCALE_ATTACHMENT = "data_scale";

    TrainingData(Dataset dataset, INDArray mean, String source, String layout, String stored, DataLocation location) {
        this(dataset, mean, source, layout, stored, 1.0, null, location);
    }

    /**
     * This data with every value (after centring) multiplied as {@code --scale} says: a positive
     * number, or {@code auto} for one over the root mean square of the values (one more pass over
     * streamed data), so that they are near unit scale; null: unchanged.
     */
    TrainingData scaled(String option) throws CliException {
        if (option == null) {
            return this;
        }
        double factor;
        String why;
        if (option.equalsIgnoreCase("auto")) {
            double rms = rootMeanSquare();
            Cli.require(
                    rms > 0 && Double.isFinite(rms),
                    "--scale auto: the values of " + dataset.description() + (mean != null ? " (centred)" : "")
                            + " have a root mean square of " + rms + ", which gives no scale");
            factor = 1.0 / rms;
            why = String.format(Locale.ROOT, "--scale auto: 1 / root mean square %.6g", rms);
        } else {
            factor = Cli.parse("--scale", option, v -> {
                double f;
                try {
                    f = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + v + "' is not a number or auto");
                }
                if (!(f > 0) || !Double.isFinite(f)) {
                    throw new IllegalArgumentException("must be a finite number > 0 or auto, was " + v);
                }
                return f;
            });
            why = "--scale " + option;
        }
        Dataset scaled;
        if (dataset instanceof ShardedDataset s) {
            scaled = s.scaled(factor);
        } else if (dataset instanceof InMemoryDataset d) {
            d.matrix().muli(factor); // this run's own matrix
            Cli.require(
                    dev.saekit.tensor.Tensors.allFinite(d.matrix()),
                    "--scale " + option + " makes values of " + dataset.description() + " overflow " + dataset.dtype()
                            + "; give a smaller factor");
            scaled = d;
        } else {
            throw new IllegalStateException("cannot scale " + dataset);
        }
        return new TrainingData(scaled, mean, source, layout, stored, factor, why, location);
    }

    /** The root mean square of every value as the model sees it (centred if {@code mean} is set), summed in float64. */
    private double rootMeanSquare() {
        double squares = 0;
        long n = 0;
        for (INDArray batch : dataset.batchesInOrder(4096)) {
            squares += dev.saekit.kernel.RowKernels.sumOfSquares(batch);
            n += batch.length();
        }
        return Math.sqrt(squares / Math.max(1, n));
    }

    /** What a model trained on this data keeps with it: the mean subtracted and the scale applied (encode and export apply them). */
    java.util.Map<String, INDArray> attachments() {
        java.util.Map<String, INDArray> a = new java.util.LinkedHashMap<>();
        if (mean != null) {
            a.put(RunFiles.MEAN_ATTACHMENT, mean);
        }
        if (scale != 1.0) {
            a.put(SCALE_ATTACHMENT, org.nd4j.linalg.factory.Nd4j.createFromArray(new double[] {scale}));
        }
        return a;
    }

    /**
     * Loads {@code data} (the embedded set when null), choosing array {@code name} and reading the
     * first {@code rowAxes} axes as rows, with {@code labelsFile} (one label per row, or null). A
     * regular file is read into memory; a directory or a glob is streamed through a shuffle buffer
     * of {@code bufferRows} rows. {@code batchSize} bounds the width a row may have.
     */
    /** A check of the data's shape, read from its headers, that runs before any of its values are loaded. */
    @FunctionalInterface
    interface ShapeCheck {
        void check(long rows, long cols) throws CliException;
    }

    static TrainingData load(
            Path data,
            String name,
            int rowAxes,
            Path labelsFile,
            boolean center,
            DType dtype,
            int bufferRows,
            int batchSize)
            throws CliException {
        return load(data, name, rowAxes, labelsFile, center, dtype, bufferRows, batchSize, (rows, cols) -> {});
    }

    /** As {@link #load}, with {@code beforeLoading} run on the data's shape before its values are read. */
    static TrainingData load(
            Path data,
            String name,
            int rowAxes,
            Path labelsFile,
            boolean center,
            DType dtype,
            int bufferRows,
            int batchSize,
            ShapeCheck beforeLoading)
            throws CliException {
        Cli.require(rowAxes >= 1, "--row-axes must be >= 1, was " + rowAxes);
        if (data == null) {
            Cli.require(labelsFile == null, "--labels describes the rows of --data; give --data as well");
            Cli.require(
                    name == null && rowAxes == 1,
                    "--name and --row-axes describe the arrays of --data; give --data as well");
            TrainingData embedded = embedded(center, dtype);
            beforeLoading.check(embedded.dataset().rows(), embedded.dataset().cols());
            return embedded;
        }
        String where = data.toString();
        DataLocation location;
        try {
            location = DataLocation.open(where, name, rowAxes);
        } catch (IOException | RuntimeException e) {
            throw DataErrors.of(e, where, name != null);
        }
        beforeLoading.check(location.rows(), location.cols());
        try {
            if (location.isSingleFile()) {
                location.requireLoadable(dtype);
                requireMemory(location, dtype);
            }
            requireRowsFit(location, "a batch of", batchSize, "--batch-size");
            if (!location.isSingleFile()) {
                requireRowsFit(location, "a shuffle buffer of", bufferRows, "--buffer-rows");
            }
            return location.isSingleFile()
                    ? inMemory(location, labelsFile, center, dtype)
                    : streamed(location, labelsFile, center, dtype, bufferRows);
        } catch (IOException | RuntimeException e) {
            throw DataErrors.of(e, where, name != null);
        }
    }

    private static TrainingData embedded(boolean center, DType dtype) throws CliException {
        try {
            InMemoryDataset data = InMemoryDataset.of(
                            EmbeddedData.vectors(), EmbeddedData.words(), EmbeddedData.DESCRIPTION)
                    .withDType(dtype);
            if (!center) {
                return new TrainingData(data, null, EmbeddedData.DESCRIPTION, null, null, null);
            }
            INDArray mean = data.matrix().castTo(DataType.DOUBLE).mean(0).castTo(dtype.nd4j());
            InMemoryDataset centred = InMemoryDataset.of(
                    data.matrix().subRowVector(mean), data.labels().orElse(null), EmbeddedData.DESCRIPTION);
            return new TrainingData(centred, mean, EmbeddedData.DESCRIPTION, null, null, null);
        } catch (IOException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "cannot read the embedded data: " + e.getMessage());
        }
    }

    private static TrainingData inMemory(DataLocation location, Path labelsFile, boolean center, DType dtype)
            throws IOException, CliException {
        String source = location.describe();
        List<String> labels = labelsFile == null ? null : readLabels(labelsFile);
        if (labels != null && labels.size() != location.rows()) {
            boolean flattened = location.arrays().get(0).layout().flattened();
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "--labels " + labelsFile + " has " + labels.size() + " lines but " + source + " has "
                            + location.rows() + " rows" + (flattened ? " (" + location.layoutText() + ")" : ""));
        }
        InMemoryDataset data = InMemoryDataset.of(location.load(dtype), labels, source);
        if (!center) {
            return new TrainingData(data, null, source, location.layoutText(), stored(location), location);
        }
        INDArray mean = data.meanRow(); // summed in float64 a block at a time
        data.matrix().subiRowVector(mean); // in place: the matrix is this run's own
        return new TrainingData(data, mean, source, location.layoutText(), stored(location), location);
    }

    /** The stored element types: {@code uint8}, {@code float16 and float32}, {@code int8, uint8 and float64}. */
    private static String stored(DataLocation location) {
        List<String> types = location.dtypes().stream().map(ElementType::label).toList();
        return types.size() == 1
                ? types.get(0)
                : String.join(", ", types.subList(0, types.size() - 1)) + " and " + types.get(types.size() - 1);
    }

    private static TrainingData streamed(
            DataLocation location, Path labelsFile, boolean center, DType dtype, int bufferRows)
            throws IOException, CliException {
        if (labelsFile != null) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--labels needs --data to be one file; " + location.location()
                            + " is a directory or glob of shards, which are streamed and not labelled");
        }
        // the shards' headers are checked (and compressed shards decompressed) first; then every value and every
        // shard's
        // integrity (sizes, CRC-32, trailing bytes) are checked in one sequential pass that also gives the mean, so
        // that
        // nothing is found wrong mid-epoch (mapped reads during training check values again, not CRCs)
        ShardedDataset shards = ShardedDataset.builder(location)
                .dtype(dtype)
                .bufferRows(bufferRows)
                .build();
        INDArray mean;
        try {
            mean = location.meanRow(dtype);
        } catch (IOException | RuntimeException e) {
            shards.close();
            throw e;
        }
        if (!center) {
            return new TrainingData(
                    shards, null, location.location(), location.layoutText(), stored(location), location);
        }
        return new TrainingData(
                shards.centred(mean), mean, location.location(), location.layoutText(), stored(location), location);
    }

    /**
     * Refuses rows so wide that {@code count} of them (a batch, the shuffle buffer) are more values
     * than one array holds, naming the option that sets {@code count}.
     */
    private static void requireRowsFit(DataLocation location, String what, int count, String option)
            throws CliException {
        long rows = Math.min(count, Math.max(1, location.rows()));
        long most = Integer.MAX_VALUE - 8;
        if (location.cols() > 0 && rows * (double) location.cols() > most) {
            long fits = most / location.cols();
            throw new CliException(
                    SaekitCli.EXIT_MEMORY,
                    location.describe() + ": " + what + " " + rows + " rows of width "
                            + location.cols() + " (" + location.layoutText() + ") is more values than one array holds ("
                            + most + "); "
                            + (fits > 0 ? "use " + option + " " + fits + " or less, or " : "")
                            + "read it with more --row-axes so that rows"
                            + " are narrower");
        }
    }

    /** Refuses a file whose matrix alone is more than the memory the process may use, before it is loaded. */
    private static void requireMemory(DataLocation location, DType dtype) throws CliException {
        double bytes = (double) location.rows() * location.cols() * (dtype == DType.FLOAT32 ? 4 : 8);
        Optional<MemoryBudget.Limit> limit = MemoryBudget.system().available();
        if (limit.isPresent() && bytes > limit.get().bytes()) {
            throw new CliException(
                    SaekitCli.EXIT_MEMORY,
                    location.describe() + ": " + location.rows() + " x " + location.cols()
                            + " " + dtype + " = " + MemoryBudget.format((long) Math.min(bytes, Long.MAX_VALUE))
                            + " is more than the memory"
                            + " this process may use, " + limit.get()
                            + "; stream it instead: give --data its directory or a glob that"
                            + " matches it (shards are read through a shuffle buffer of --buffer-rows rows)");
        }
    }

    /** One label per line of {@code file}; a file that is not UTF-8 text is refused naming it and the first bad byte. */
    static List<String> readLabels(Path file) throws IOException, CliException {
        if (!Files.isRegularFile(file)) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    Files.exists(file)
                            ? "--labels " + file + " is not a regular file"
                            : "--labels " + file + ": file not found");
        }
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(file));
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(bytes.remaining());
        java.nio.charset.CoderResult r = utf8.decode(bytes, chars, true);
        if (r.isError()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    String.format(
                            Locale.ROOT,
                            "--labels %s is not UTF-8 text (byte 0x%02x at "
                                    + "offset %d); give a text file of one label per line",
                            file,
                            bytes.get(bytes.position()) & 0xFF,
                            bytes.position()));
        }
        utf8.flush(chars);
        chars.flip();
        return chars.toString().lines().toList();
    }

    /**
     * What this data was, as checkpoints record it: where it was read from ({@code array}: the
     * {@code --name} given, or null), how it became rows, its centring and scale and its shape.
     */
    DataProvenance provenance(String array) {
        String description = describe();
        return location == null
                ? new DataProvenance(
                        null,
                        null,
                        1,
                        List.of(),
                        List.of(),
                        mean != null,
                        scale,
                        dataset.rows(),
                        dataset.cols(),
                        description)
                : DataProvenance.of(location, array, mean != null, scale, dataset.rows(), dataset.cols(), description);
    }

    /**
     * One line: source, rows x width, dtype, how the arrays became rows, and whether the data was
     * centred, labelled, streamed or decompressed.
     */
    String describe() {
        String streamed = "";
        // data read side by side (a transcoder's, a crosscoder's) are streamed if their first part is
        Dataset first = dataset instanceof dev.saekit.data.SideBySideDataset pair
                ? pair.parts().get(0)
                : dataset;
        if (first instanceof ShardedDataset s) {
            streamed = String.format(
                    Locale.ROOT,
                    ", streamed through a shuffle buffer of %d rows (%.1f MiB)",
                    Math.min(s.bufferRows(), s.rows()),
                    s.bufferBytes() / 1048576.0);
            if (s.decompressedShards() > 0) {
                streamed +=
                        ", " + s.decompressedShards() + " compressed shard" + (s.decompressedShards() == 1 ? "" : "s")
                                + " decompressed once into a scratch file in " + s.scratchDir() + " ("
                                + MemoryBudget.format(s.scratchBytes())
                                + ", released when the run ends)";
            }
        }
        String matrix = layout == null ? dataset.rows() + " rows x " + dataset.cols() : layout;
        String type = stored == null || stored.equals(dataset.dtype().label())
                ? dataset.dtype().label()
                : stored + " read as " + dataset.dtype();
        return dataset.description() + ": " + matrix + ", " + type
                + (mean != null ? ", centred (mean row subtracted)" : "")
                + (scale != 1.0 ? String.format(Locale.ROOT, ", scaled by %.6g (%s)", scale, scaleSource) : "")
                + (dataset.labels().isPresent() ? ", labelled" : "") + streamed;
    }
}
