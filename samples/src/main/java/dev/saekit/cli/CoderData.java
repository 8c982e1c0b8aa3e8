package dev.saekit.cli;

import dev.saekit.data.Dataset;
import dev.saekit.data.SideBySideDataset;
import dev.saekit.io.DataLocation;
import dev.saekit.io.ShardedDataset;
import dev.saekit.model.CoderSpec;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The rows of a transcoder or crosscoder: its parts read side by side ({@link SideBySideDataset}),
 * a transcoder's input then its target ({@code [x_in | y]}), a crosscoder's layers in the order
 * named ({@code [x_1 | ... | x_L]}). Each part is read as {@code --data} is for an autoencoder: a
 * file into memory, shards streamed (and still streamed when paired). Parts must hold one row per
 * example in the same order: taps of one harvest, arrays of one file, or files of as many rows.
 *
 * @param role     what each part is, for messages ({@code input}, {@code target}, {@code layer residual:2})
 * @param location where each part is read
 * @param name     the array or tap of each part, or null for a file's only array
 */
record CoderData(List<String> role, List<Path> location, List<String> name) {

    /**
     * The parts of coder {@code kind}: a transcoder's input ({@code data}, {@code name}) and target
     * ({@code target}, else {@code data}; {@code targetName}); a crosscoder's layers, the
     * comma-separated names of {@code name} in {@code data}.
     */
    static CoderData of(CoderOptions.Kind kind, Path data, String name, Path target, String targetName)
            throws CliException {
        if (kind == CoderOptions.Kind.CROSSCODER) {
            List<String> layers = CoderOptions.layers(name);
            return new CoderData(
                    layers.stream().map(l -> "layer " + l).toList(),
                    layers.stream().map(l -> data).toList(),
                    layers);
        }
        Cli.require(
                target != null || targetName != null,
                "a transcoder needs its target: give --target-name NAME (an array or tap of --data) and/or "
                        + "--target PATH");
        Path targetPath = target != null ? target : data;
        List<String> names = new ArrayList<>();
        names.add(name);
        names.add(targetName);
        return new CoderData(List.of("input", "target"), List.of(data, targetPath), names);
    }

    /**
     * The training rows: each part loaded as {@link TrainingData#load} loads {@code --data} (uncentred,
     * {@code labels} read with the input), then paired. Refuses parts of different row counts or row
     * orders, and crosscoder layers of different widths, naming them.
     */
    TrainingData loadForTraining(
            CoderOptions.Kind kind, int rowAxes, Path labels, DType dtype, int bufferRows, int batchSize)
            throws CliException {
        List<TrainingData> parts = new ArrayList<>();
        for (int i = 0; i < location.size(); i++) {
            parts.add(TrainingData.load(
                    location.get(i),
                    name.get(i),
                    rowAxes,
                    i == 0 ? labels : null,
                    false,
                    dtype,
                    bufferRows,
                    batchSize));
        }
        List<Dataset> datasets = parts.stream().map(TrainingData::dataset).toList();
        requireEqualLayers(kind, datasets);
        Dataset paired = pair(datasets);
        String layout = parts.stream()
                .map(p -> p.layout() == null
                        ? p.dataset().rows() + " rows x " + p.dataset().cols()
                        : p.layout())
                .collect(Collectors.joining(" | "));
        String stored = parts.stream()
                .map(TrainingData::stored)
                .filter(s -> s != null)
                .distinct()
                .collect(Collectors.joining(", "));
        String source = parts.stream().map(TrainingData::source).collect(Collectors.joining(" | "));
        TrainingData input = parts.get(0);
        return new TrainingData(
                paired,
                null,
                source,
                layout + " side by side (" + String.join(" | ", role) + ")",
                stored.isEmpty() ? null : stored,
                input.location());
    }

    /**
     * The rows in order, every part streamed in bounded memory (for {@code encode} and {@code
     * evaluate}), checked as {@link #loadForTraining} checks them.
     */
    Dataset openInOrder(CoderOptions.Kind kind, int rowAxes, DType dtype) throws CliException {
        List<Dataset> parts = new ArrayList<>();
        for (int i = 0; i < location.size(); i++) {
            String where = location.get(i).toString();
            try {
                DataLocation at = DataLocation.open(where, name.get(i), rowAxes);
                parts.add(ShardedDataset.builder(at).dtype(dtype).build());
            } catch (IOException | RuntimeException e) {
                throw DataErrors.of(e, where, name.get(i) != null);
            }
        }
        requireEqualLayers(kind, parts);
        return pair(parts);
    }

    /**
     * The coder of {@code kind} for these parts' widths: a transcoder predicting the target's width, a
     * crosscoder over its layers ({@code normalization} from {@code provisional}).
     */
    static CoderSpec spec(CoderOptions.Kind kind, CoderSpec provisional, Dataset paired) {
        List<Dataset> parts = ((SideBySideDataset) paired).parts();
        return switch (kind) {
            case AUTOENCODER -> new CoderSpec.Autoencoder();
            case TRANSCODER, SKIP_TRANSCODER ->
                new CoderSpec.Transcoder(parts.get(1).cols(), kind == CoderOptions.Kind.SKIP_TRANSCODER);
            case CROSSCODER -> provisional;
        };
    }

    /** The model's input width: a transcoder's input part, a crosscoder's whole row. */
    static int inputWidth(CoderOptions.Kind kind, Dataset paired) {
        return kind.transcoder() ? ((SideBySideDataset) paired).parts().get(0).cols() : paired.cols();
    }

    /** The parts side by side; a mismatch of rows or row order is an input error naming both parts. */
    private Dataset pair(List<Dataset> parts) throws CliException {
        try {
            return SideBySideDataset.of(parts);
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, String.join(" and ", role) + ": " + e.getMessage());
        }
    }

    /** A crosscoder's layers have one width: each is a block of the same size in its rows. */
    private void requireEqualLayers(CoderOptions.Kind kind, List<Dataset> parts) throws CliException {
        if (kind != CoderOptions.Kind.CROSSCODER) {
            return;
        }
        for (int i = 1; i < parts.size(); i++) {
            if (parts.get(i).cols() != parts.get(0).cols()) {
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        "a crosscoder's layers must have the same width, but " + role.get(0) + " ("
                                + parts.get(0).description() + ") has "
                                + parts.get(0).cols() + " columns and "
                                + role.get(i) + " (" + parts.get(i).description() + ") has "
                                + parts.get(i).cols());
            }
        }
    }
}
