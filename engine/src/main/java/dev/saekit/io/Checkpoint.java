package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Adam;
import dev.saekit.train.TrainingProgress;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint read back by {@link Checkpoints#load}: the model (rebuilt from its spec, weights
 * loaded), where training stood, the training and data descriptions it was saved with, the Adam
 * state, and any attached arrays (such as a data mean).
 *
 * @param dir         the checkpoint directory (a {@code step-N} directory)
 * @param spec        the model's spec
 * @param model       the model with the saved weights, in training mode
 * @param progress    where the run stood when it was saved
 * @param training    the training configuration as saved (JSON), or null
 * @param data        provenance of the training data (JSON), or null
 * @param optimizer   Adam's state per parameter name (empty when none was saved)
 * @param attachments extra arrays saved with the model
 * @param listenerStates the states of the run's stateful listeners by name (empty when none was saved), for
 *                    {@code Trainer.resume(model, data, progress, listenerStates)}
 * @param runId       the id of the run this checkpoint belongs to (a resumed run keeps it), or null for a
 *                    checkpoint written before run ids were recorded
 * @param optimizerMissing whether the checkpoint was saved with an optimiser state whose file is now missing
 */
public record Checkpoint(Path dir, ModelSpec spec, SparseAutoencoder model, TrainingProgress progress, JsonNode training,
                         JsonNode data, Map<String, AdamState> optimizer, Map<String, org.nd4j.linalg.api.ndarray.INDArray> attachments,
                         Map<String, Map<String, org.nd4j.linalg.api.ndarray.INDArray>> listenerStates, String runId,
                         boolean optimizerMissing) {

    /** Adam's state of one parameter. */
    public record AdamState(long step, org.nd4j.linalg.api.ndarray.INDArray expAvg, org.nd4j.linalg.api.ndarray.INDArray expAvgSq) {
    }

    /**
     * Puts the saved Adam state into {@code adam} for this checkpoint's model. Refuses, naming the
     * file, when the checkpoint was saved with an optimiser state whose file is missing: a fresh
     * optimiser would silently give another run (see {@link #optimizerMissing()} to start afresh on purpose).
     */
    public void restoreOptimizer(Adam adam) {
        if (optimizerMissing) {
            throw new IllegalStateException(dir.resolve(Checkpoints.OPTIMIZER) + " is missing: the checkpoint was saved "
                    + "with Adam's state, and a fresh optimiser would continue a different run; restore the file, or start "
                    + "Adam afresh on purpose (saekit train --resume ... --reset-optimizer)");
        }
        for (Parameter p : model.parameters()) {
            AdamState s = optimizer.get(p.name());
            if (s != null) {
                adam.restore(p, s.step(), s.expAvg(), s.expAvgSq());
            }
        }
    }
}
