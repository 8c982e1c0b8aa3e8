package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.data.Dataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Adam;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingProgress;
import dev.saekit.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint read back by {@link Checkpoints#load}: the model (rebuilt from its spec, weights
 * loaded), where training stood, the training and data descriptions it was saved with, the Adam
 * state, and any attached arrays (such as a data mean).
 *
 * <p>A checkpoint is a run that can be continued from it alone, whoever started the run (the
 * command line, the DSL or Java): {@link #trainingConfig()} rebuilds the config (its loss from the
 * loss's spec), {@link #trainer} makes a trainer of it holding the saved Adam state, and
 * {@link #resume} continues the run on the data, which the trainer cannot check against the
 * recorded provenance by itself:
 *
 * <pre>{@code
 * Checkpoint c = Checkpoints.load(dir);
 * Trainer trainer = c.trainer(List.of(CheckpointListener.builder(dir).every(100).runId(c.runId()).build()));
 * c.resume(trainer, data);   // in float64, ends bit for bit where the uninterrupted run ends
 * }</pre>
 *
 * @param dir         the checkpoint directory (a {@code step-N} directory)
 * @param spec        the model's spec
 * @param model       the model with the saved weights, in training mode
 * @param progress    where the run stood when it was saved
 * @param training    the training configuration as saved ({@link TrainingConfigJson}, read by {@link #trainingConfig()}),
 *                    or null
 * @param data        provenance of the training data ({@link DataProvenance} JSON, read by {@link #dataProvenance()}),
 *                    or null
 * @param cli         what the program that ran the training recorded for itself (saekit train's settings), or null
 * @param optimizer   Adam's state per parameter name (empty when none was saved)
 * @param attachments extra arrays saved with the model
 * @param listenerStates the states of the run's stateful listeners by name (empty when none was saved), for
 *                    {@code Trainer.resume(model, data, progress, listenerStates)}
 * @param runId       the id of the run this checkpoint belongs to (a resumed run keeps it), or null for a
 *                    checkpoint written before run ids were recorded
 * @param optimizerMissing whether the checkpoint was saved with an optimiser state whose file is now missing
 */
public record Checkpoint(
        Path dir,
        ModelSpec spec,
        SparseAutoencoder model,
        TrainingProgress progress,
        JsonNode training,
        JsonNode data,
        JsonNode cli,
        Map<String, AdamState> optimizer,
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> attachments,
        Map<String, Map<String, org.nd4j.linalg.api.ndarray.INDArray>> listenerStates,
        String runId,
        boolean optimizerMissing) {

    /**
     * The training config this checkpoint was saved with, its loss rebuilt from its spec (a loss's
     * running state, AuxK's dead-code window, comes back through {@link #listenerStates()}).
     *
     * @throws IllegalStateException naming the file and the field when the checkpoint records none
     *         (an import, an older saekit) or one that does not read back
     */
    public TrainingConfig trainingConfig() {
        if (training == null) {
            throw new IllegalStateException(
                    dir.resolve(Checkpoints.CONFIG) + " records no training config (the model was "
                            + "imported, or saved without training): give the run's TrainingConfig yourself");
        }
        try {
            return TrainingConfigJson.fromJson(training);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    dir.resolve(Checkpoints.CONFIG) + ": " + e.getMessage()
                            + (training.has("cli_args") && !training.has("shuffle")
                                    ? " (the checkpoint was saved by an older saekit, "
                                            + "which recorded the command line instead: continue it with `saekit train --resume`)"
                                    : ""),
                    e);
        }
    }

    /** What the run's data was, when the checkpoint records it. */
    public java.util.Optional<DataProvenance> dataProvenance() {
        if (data == null || !data.has("rows") || !data.has("cols")) {
            return java.util.Optional.empty(); // no data, or an import's origin
        }
        try {
            return java.util.Optional.of(DataProvenance.fromJson(data));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(dir.resolve(Checkpoints.CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /**
     * A trainer of {@link #trainingConfig()} with {@code listeners}, its Adam holding the saved state
     * (refused when the state's file is missing, see {@link #restoreOptimizer}).
     */
    public Trainer trainer(List<TrainingListener> listeners) {
        Trainer trainer = new Trainer(trainingConfig(), listeners);
        restoreOptimizer((Adam) trainer.optimizer());
        return trainer;
    }

    /**
     * Continues the run with {@code trainer} (from {@link #trainer}, or one of the run's config whose
     * optimiser holds the saved state) on {@code data}: the model of this checkpoint goes on from
     * {@link #progress()} with the stateful listeners' states put back. The data must have the shape
     * the checkpoint recorded; with the same rows, in float64 the run ends bit for bit where the
     * uninterrupted run ends.
     */
    public TrainingResult resume(Trainer trainer, Dataset data) {
        dataProvenance().ifPresent(p -> {
            if (!p.matchesShape(data)) {
                throw new IllegalArgumentException("the checkpoint " + dir + " was trained on " + p.rows() + " rows x "
                        + p.cols() + " but the data now has " + data.rows() + " x " + data.cols() + " ("
                        + data.description() + ")");
            }
        });
        return trainer.resume(model, data, progress, listenerStates);
    }

    /** Adam's state of one parameter. */
    public record AdamState(
            long step, org.nd4j.linalg.api.ndarray.INDArray expAvg, org.nd4j.linalg.api.ndarray.INDArray expAvgSq) {}

    /**
     * Puts the saved Adam state into {@code adam} for this checkpoint's model. Refuses, naming the
     * file, when the checkpoint was saved with an optimiser state whose file is missing: a fresh
     * optimiser would silently give another run (see {@link #optimizerMissing()} to start afresh on purpose).
     */
    public void restoreOptimizer(Adam adam) {
        if (optimizerMissing) {
            throw new IllegalStateException(
                    dir.resolve(Checkpoints.OPTIMIZER) + " is missing: the checkpoint was saved "
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
