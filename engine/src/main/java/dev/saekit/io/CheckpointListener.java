package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.train.EpochSummary;
import dev.saekit.train.StepState;
import dev.saekit.train.TrainingContext;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingProgress;
import dev.saekit.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Saves a checkpoint (see {@link Checkpoints}) every {@code everySteps} steps, at the end of every
 * epoch when asked, and when training completes, keeping the newest {@code keep}. It saves the
 * states of the run's stateful listeners too ({@link dev.saekit.train.TrainingContext#listenerStates()}). A failed save
 * stops training with the I/O error rather than losing it.
 */
public final class CheckpointListener implements TrainingListener {
    private final Path root;
    private final long everySteps;
    private final boolean eachEpoch;
    private final int keep;
    private final JsonNode training;
    private final JsonNode data;
    private final Map<String, INDArray> attachments;
    private final String runId;
    private TrainingContext context;
    private TrainingProgress last;
    private TrainingProgress saved;
    private boolean pendingAtEpochEnd;

    /**
     * @param everySteps  save every this many steps (0: only at epoch ends and at the end)
     * @param training    the training configuration to record (JSON), or null
     * @param data        the data's provenance to record (JSON), or null
     * @param attachments arrays to save with the model (a data mean, ...), or null
     */
    public CheckpointListener(Path root, long everySteps, boolean eachEpoch, int keep, JsonNode training, JsonNode data,
                              Map<String, INDArray> attachments) {
        this(root, everySteps, eachEpoch, keep, training, data, attachments, Checkpoints.newRunId());
    }

    /**
     * A listener whose checkpoints carry {@code runId}: pass the id of the checkpoint a run resumes
     * from, so that its checkpoints and the resumed run's are one run (only that run's older
     * checkpoints are pruned).
     */
    public CheckpointListener(Path root, long everySteps, boolean eachEpoch, int keep, JsonNode training, JsonNode data,
                              Map<String, INDArray> attachments, String runId) {
        if (everySteps < 0) {
            throw new IllegalArgumentException("everySteps must be >= 0, was " + everySteps);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, was " + keep);
        }
        this.root = root;
        this.everySteps = everySteps;
        this.eachEpoch = eachEpoch;
        this.keep = keep;
        this.training = training;
        this.data = data;
        this.attachments = attachments;
        this.runId = runId == null ? Checkpoints.newRunId() : runId;
    }

    @Override
    public void onTrainingStart(TrainingContext context) {
        this.context = context;
        this.last = context.start();
        this.pendingAtEpochEnd = false;
    }

    @Override
    public void onStep(StepState s) {
        boolean epochEnds = s.stepInEpoch() == s.stepsPerEpoch();
        last = epochEnds ? new TrainingProgress(s.epoch() + 1, 0, s.step()) : new TrainingProgress(s.epoch(), s.stepInEpoch(), s.step());
        if (everySteps > 0 && s.step() % everySteps == 0) {
            if (epochEnds) {
                // saved once the epoch has ended: the listeners that close a window at the epoch's end
                // (dead-code tracking) have then done so, as a run resumed at the next epoch expects
                pendingAtEpochEnd = true;
            } else {
                save();
            }
        }
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        if (eachEpoch || pendingAtEpochEnd) {
            pendingAtEpochEnd = false;
            save();
        }
    }

    @Override
    public void onTrainingEnd(TrainingResult result) {
        if (result.completed()) {
            save();
        }
    }

    /** The directory of the latest checkpoint saved, or null. */
    public Path lastSaved() {
        return saved == null ? null : root.resolve(String.format("step-%09d", saved.step()));
    }

    private void save() {
        if (last == null || last.equals(saved)) {
            return;
        }
        try {
            Checkpoints.save(root, new Checkpoints.State(context.model(), context.optimizer(), last, training, data, attachments,
                    context.listenerStates(), runId), keep);
            saved = last;
        } catch (IOException e) {
            throw new UncheckedIOException("could not save a checkpoint in " + root + ": " + e.getMessage(), e);
        }
    }
}
