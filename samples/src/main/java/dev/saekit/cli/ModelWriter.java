package dev.saekit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.io.Checkpoints;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.train.Optimizer;
import dev.saekit.train.TrainingProgress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a trained model as a saekit checkpoint ({@link Checkpoints}): {@code latest} and a
 * {@code step-N} directory with {@code config.json} (format version, model spec, training and data
 * descriptions), {@code weights.safetensors} and, with centred data, the mean row to subtract from
 * inputs as the attachment {@code data_mean}. {@code saekit encode} and {@code export} read it.
 */
final class ModelWriter {
    private ModelWriter() {
    }

    static void write(Path dir, SparseAutoencoder model, ObjectNode training, INDArray mean, Optimizer optimizer,
                      TrainingProgress progress, ObjectNode data, String runId) throws IOException {
        Map<String, INDArray> attachments = mean == null ? null : Map.of(RunFiles.MEAN_ATTACHMENT, mean);
        Checkpoints.save(dir, new Checkpoints.State(model, optimizer, progress, training, data, attachments, null, runId), 1);
    }
}
