package dev.saekit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.data.Dataset;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.DataLocation;
import dev.saekit.io.ShardedDataset;
import dev.saekit.metrics.EvalMetrics;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.SparseAutoencoder;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code saekit evaluate --data}: a saved model's metrics over rows of activations, read as train
 * reads them and streamed in bounded memory: an autoencoder's rows (centred and scaled as its
 * training data were), a transcoder's input beside its target, a crosscoder's layers side by side.
 * The metrics compare the model's output with its target ({@link FinalEvaluation}).
 *
 * @param data       the input rows ({@code --data})
 * @param name       their array or tap, or a crosscoder's comma-separated layers ({@code --name})
 * @param rowAxes    leading axes that index rows ({@code --row-axes})
 * @param target     a transcoder's target location ({@code --target}), or null for {@code data}
 * @param targetName a transcoder's target array or tap ({@code --target-name}), or null
 */
record DataEvaluation(Path data, String name, int rowAxes, Path target, String targetName) {
    /** Rows per forward pass. */
    static final int BATCH_ROWS = 1024;

    /** The model's metrics over the rows, with what was read, into {@code json}. */
    void run(Checkpoint checkpoint, ObjectNode json) throws CliException {
        Cli.require(rowAxes >= 1, "--row-axes must be >= 1, was " + rowAxes);
        SparseAutoencoder model = checkpoint.model();
        CoderOptions.Kind kind = CoderOptions.Kind.of(model.coder());
        if (!kind.transcoder()) {
            Cli.require(
                    target == null && targetName == null,
                    "--target and --target-name give a transcoder's target; " + checkpoint.dir() + " holds a "
                            + model.coder().kind());
        }
        Dataset rows =
                kind == CoderOptions.Kind.AUTOENCODER ? autoencoderRows(checkpoint, model) : coderRows(kind, model);
        if (rows.cols() != model.rowWidth()) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    rows.description() + " has rows of width " + rows.cols() + " but the "
                            + model.coder().kind()
                            + " in " + checkpoint.dir() + " expects " + model.rowWidth()
                            + (kind.transcoder()
                                    ? " (its input, " + model.inputDim() + ", then its target, " + model.outputDim()
                                            + ")"
                                    : ""));
        }
        EvalMetrics metrics;
        try {
            metrics = FinalEvaluation.run(model, rows, BATCH_ROWS, 1).metrics();
        } catch (RuntimeException e) {
            throw DataErrors.of(e, data.toString(), name != null);
        } finally {
            close(rows);
        }
        json.put("coder", model.coder().kind());
        json.put("variant", model.spec().variant().name());
        json.put("latents", model.nbConcepts());
        json.put("input_width", model.inputDim());
        json.put("output_width", model.outputDim());
        if (model.coder() instanceof CoderSpec.Crosscoder c) {
            json.put("layers", c.layers());
        }
        json.put("data", rows.description());
        metrics.toMap().forEach(json::putPOJO);
    }

    /** A transcoder's input and target, or a crosscoder's layers, side by side. */
    private Dataset coderRows(CoderOptions.Kind kind, SparseAutoencoder model) throws CliException {
        if (kind == CoderOptions.Kind.CROSSCODER) {
            int layers = ((CoderSpec.Crosscoder) model.coder()).layers();
            Cli.require(
                    name != null && name.split(",").length == layers,
                    "the crosscoder reads " + layers + " layers: name them in --name, comma-separated and in "
                            + "training order (--name residual:2,residual:4)");
        }
        return CoderData.of(kind, data, name, target, targetName).openInOrder(kind, rowAxes, model.dtype());
    }

    /** An autoencoder's rows, streamed, with the centring and scale its training data had. */
    private Dataset autoencoderRows(Checkpoint checkpoint, SparseAutoencoder model) throws CliException {
        String where = data.toString();
        ShardedDataset rows;
        try {
            rows = ShardedDataset.builder(DataLocation.open(where, name, rowAxes))
                    .dtype(model.dtype())
                    .build();
        } catch (IOException | RuntimeException e) {
            throw DataErrors.of(e, where, name != null);
        }
        INDArray mean = checkpoint.attachments().get(RunFiles.MEAN_ATTACHMENT);
        INDArray scale = checkpoint.attachments().get(TrainingData.SCALE_ATTACHMENT);
        if (mean != null && mean.length() == rows.cols()) { // a width mismatch is reported by the caller
            rows = rows.centred(mean);
        }
        return scale == null ? rows : rows.scaled(scale.getDouble(0));
    }

    /** Releases the scratch files of streamed parts (compressed shards decompressed once). */
    private static void close(Dataset rows) {
        if (rows instanceof dev.saekit.data.SideBySideDataset s) {
            s.parts().forEach(DataEvaluation::close);
        } else if (rows instanceof ShardedDataset s) {
            s.close();
        }
    }
}
