package dev.saekit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataProvenance;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.train.Optimizer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingProgress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a trained model as a saekit checkpoint ({@link Checkpoints}): {@code latest} and a
 * {@code step-N} directory with {@code config.json} (format version, model spec, training config, data
 * provenance and the command's own settings, from which {@code --resume} rebuilds the run), {@code weights.safetensors} and what the inputs went through: the mean row
 * subtracted ({@code data_mean}) and the factor they were then multiplied by ({@code data_scale}). {@code saekit encode} and {@code export} read it.
 */
final class ModelWriter {
    private ModelWriter() {}

    static void write(
            Path dir,
            SparseAutoencoder model,
            TrainingConfig training,
            ObjectNode cli,
            Map<String, INDArray> attachments,
            Optimizer optimizer,
            TrainingProgress progress,
            DataProvenance data,
            String runId)
            throws IOException {
        Checkpoints.save(
                dir,
                Checkpoints.State.builder(model, progress)
                        .optimizer(optimizer)
                        .training(training)
                        .data(data)
                        .cli(cli)
                        .attachments(attachments)
                        .runId(runId)
                        .build(),
                1);
    }
}
