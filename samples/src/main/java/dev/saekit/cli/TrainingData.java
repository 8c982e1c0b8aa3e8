package dev.saekit.cli;

import dev.saekit.data.Dataset;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.io.ShardedDataset;
import dev.saekit.io.MalformedFileException;
import dev.saekit.io.Npy;
import dev.saekit.samples.EmbeddedData;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows a run trains on: a {@code .npy} file (or the embedded GloVe set) loaded into memory and
 * flattened to {@code [rows, width]}, or a directory or glob of {@code .npy} shards streamed from
 * disk ({@link ShardedDataset}); checked (NaN and infinities are named by row and column, and for
 * shards by file), optionally centred, with optional labels (in-memory data only).
 *
 * <p>Centring streamed shards takes one extra pass over them for the mean (summed in float64);
 * the mean is then subtracted from each row as it is read, so the centred data is never stored.
 *
 * @param dataset     the rows the model sees (centred if {@code mean} is not null)
 * @param mean        the mean row that was subtracted, or null
 * @param sourceShape the shape of the array in the file, before flattening ({@code [rows, width]} for shards)
 * @param source      where the data came from (a path, a glob or the embedded set's description)
 */
record TrainingData(Dataset dataset, INDArray mean, long[] sourceShape, String source) {

    /**
     * Loads {@code data} (the embedded set when null) with {@code labelsFile} (one label per row, or
     * null). A regular file is read into memory; a directory or a glob is streamed through a shuffle
     * buffer of {@code bufferRows} rows.
     */
    static TrainingData load(Path data, Path labelsFile, boolean center, DType dtype, int bufferRows) throws CliException {
        if (data == null && labelsFile != null) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--labels describes the rows of --data; give --data as well");
        }
        if (data != null && !Files.isRegularFile(data) && (Files.isDirectory(data) || isGlob(data))) {
            return shards(data.toString(), labelsFile, center, dtype, bufferRows);
        }
        return inMemory(data, labelsFile, center, dtype);
    }

    private static boolean isGlob(Path data) {
        return data.toString().chars().anyMatch(c -> "*?[{".indexOf(c) >= 0);
    }

    private static TrainingData shards(String location, Path labelsFile, boolean center, DType dtype, int bufferRows)
            throws CliException {
        if (labelsFile != null) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--labels needs --data to be one .npy file; " + location
                    + " is a directory or glob of shards, which are streamed and not labelled");
        }
        try {
            ShardedDataset shards = ShardedDataset.builder(location).dtype(dtype).bufferRows(bufferRows).build();
            long[] shape = {shards.rows(), shards.cols()};
            if (!center) {
                return new TrainingData(shards, null, shape, location);
            }
            INDArray mean = shards.meanRow();
            return new TrainingData(shards.centred(mean), mean, shape, location);
        } catch (NoSuchFileException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "file not found: " + e.getFile());
        } catch (MalformedFileException | IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "cannot read " + location + ": " + e.getMessage());
        }
    }

    private static TrainingData inMemory(Path dataFile, Path labelsFile, boolean center, DType dtype) throws CliException {
        INDArray raw;
        List<String> labels;
        String source;
        try {
            raw = dataFile == null ? EmbeddedData.vectors() : Npy.read(dataFile);
            labels = dataFile == null ? EmbeddedData.words() : labelsFile == null ? null : readLabels(labelsFile);
            source = dataFile == null ? EmbeddedData.DESCRIPTION : dataFile.toString();
        } catch (NoSuchFileException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "file not found: " + e.getFile());
        } catch (MalformedFileException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, e.getMessage());
        } catch (IOException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "cannot read " + (dataFile == null ? "the embedded data" : dataFile)
                    + ": " + e);
        }
        long[] shape = raw.shape();
        if (raw.rank() < 2) {
            throw new CliException(SaekitCli.EXIT_INPUT, source + " holds an array of shape " + Arrays.toString(shape)
                    + "; --data needs a matrix [rows, width] or an array [n, t, width]");
        }
        INDArray rows = raw.rank() == 2 ? raw : raw.reshape('c', -1, shape[shape.length - 1]);
        if (labels != null && labels.size() != rows.rows()) {
            throw new CliException(SaekitCli.EXIT_INPUT, "--labels " + labelsFile + " has " + labels.size()
                    + " lines but " + source + " has " + rows.rows() + " rows" + (raw.rank() > 2 ? " (after flattening "
                    + Arrays.toString(shape) + " to [rows, width])" : ""));
        }
        try {
            InMemoryDataset checked = InMemoryDataset.of(rows, labels, source).withDType(dtype);
            if (!center) {
                return new TrainingData(checked, null, shape, source);
            }
            INDArray mean = checked.matrix().castTo(DataType.DOUBLE).mean(0).castTo(dtype.nd4j());
            INDArray centred = checked.matrix().subRowVector(mean);
            return new TrainingData(InMemoryDataset.of(centred, labels, source), mean, shape, source);
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, e.getMessage());
        }
    }

    private static List<String> readLabels(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    /** One line: source, rows x width, dtype, and whether it was flattened, centred or streamed. */
    String describe() {
        String flattened = sourceShape.length > 2 ? ", flattened from " + Arrays.toString(sourceShape) : "";
        String streamed = dataset instanceof ShardedDataset s ? String.format(Locale.ROOT,
                ", streamed through a shuffle buffer of %d rows (%.1f MiB)", Math.min(s.bufferRows(), s.rows()),
                s.bufferBytes() / 1048576.0) : "";
        return dataset.description() + ": " + dataset.rows() + " rows x " + dataset.cols() + ", " + dataset.dtype()
                + flattened + (mean != null ? ", centred (mean row subtracted)" : "")
                + (dataset.labels().isPresent() ? ", labelled" : "") + streamed;
    }
}
