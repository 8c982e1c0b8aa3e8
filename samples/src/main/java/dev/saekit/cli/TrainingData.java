package dev.saekit.cli;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.io.MalformedFileException;
import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows a run trains on: a {@code .npy} file (or the embedded GloVe set) flattened to
 * {@code [rows, width]}, checked (NaN and infinities are named by row and column), optionally
 * centred, with optional labels.
 *
 * @param dataset     the rows the model sees (centred if {@code mean} is not null)
 * @param mean        the mean row that was subtracted, or null
 * @param sourceShape the shape of the array in the file, before flattening
 * @param source      where the data came from (a path or the embedded set's description)
 */
record TrainingData(InMemoryDataset dataset, INDArray mean, long[] sourceShape, String source) {

    /** Loads {@code dataFile} (the embedded set when null) with {@code labelsFile} (one label per row, or null). */
    static TrainingData load(Path dataFile, Path labelsFile, boolean center, DType dtype) throws CliException {
        if (dataFile == null && labelsFile != null) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--labels describes the rows of --data; give --data as well");
        }
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

    /** One line: source, rows x width, dtype, and whether it was flattened or centred. */
    String describe() {
        String flattened = sourceShape.length > 2 ? ", flattened from " + Arrays.toString(sourceShape) : "";
        return dataset.description() + ": " + dataset.rows() + " rows x " + dataset.cols() + ", " + dataset.dtype()
                + flattened + (mean != null ? ", centred (mean row subtracted)" : "")
                + (dataset.labels().isPresent() ? ", labelled" : "");
    }
}
