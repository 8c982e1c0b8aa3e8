package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.train.EpochSummary;
import dev.saekit.train.StepState;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingContext;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingProgress;
import dev.saekit.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saves a checkpoint (see {@link Checkpoints}) every {@code every} steps, at the end of every
 * epoch when asked, and when training completes, keeping the newest {@code keep}. A checkpoint is
 * the whole run as data: the model, the optimiser's state, the states of the run's stateful
 * listeners ({@link dev.saekit.train.TrainingContext#listenerStates()}), the training config the
 * trainer runs and the data's provenance, both taken from the trainer's context, so that a run
 * started from Java or the DSL resumes from its checkpoint alone ({@link Checkpoint#trainer}). A
 * failed save stops training with the I/O error rather than losing it.
 *
 * <p>A run with an input normalisation ({@link dev.saekit.train.TrainingConfig#normalization()}) trains
 * on {@code s x}; its checkpoints keep the weights as trained (a resumed run continues them exactly)
 * and the attachment {@value #SCALE_ATTACHMENT} times {@code s}, so readers that apply that attachment
 * to raw rows ({@code saekit encode}, {@code export}) compute the run's codes.
 *
 * <pre>{@code
 * CheckpointListener.builder(dir).every(500).keep(3).build()
 * }</pre>
 */
public final class CheckpointListener implements TrainingListener {
    /** The attachment of the factor the rows were multiplied by before the model saw them. */
    static final String SCALE_ATTACHMENT = "data_scale";

    private final Path root;
    private final long everySteps;
    private final boolean eachEpoch;
    private final int keep;
    private final DataProvenance data;
    private final JsonNode cli;
    private final Map<String, INDArray> attachments;
    private final String runId;
    private TrainingContext context;
    private DataProvenance contextData;
    private TrainingProgress last;
    private TrainingProgress saved;
    private boolean pendingAtEpochEnd;

    private CheckpointListener(Builder b) {
        this.root = b.root;
        this.everySteps = b.every;
        this.eachEpoch = b.eachEpoch;
        this.keep = b.keep;
        this.data = b.data;
        this.cli = b.cli;
        this.attachments = b.attachments;
        this.runId = b.runId == null ? Checkpoints.newRunId() : b.runId;
    }

    /** A listener saving into {@code root}, by default only when training completes, keeping the newest 3. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** How often to save and what to add to the checkpoints. */
    public static final class Builder {
        private final Path root;
        private long every;
        private boolean eachEpoch;
        private int keep = 3;
        private DataProvenance data;
        private JsonNode cli;
        private Map<String, INDArray> attachments;
        private String runId;

        private Builder(Path root) {
            if (root == null) {
                throw new IllegalArgumentException("a checkpoint directory is required");
            }
            this.root = root;
        }

        /** Save every this many steps (0, the default: only at epoch ends when asked, and at the end). */
        public Builder every(long steps) {
            every = steps;
            return this;
        }

        /** Also save at the end of every epoch (default false). */
        public Builder eachEpoch(boolean v) {
            eachEpoch = v;
            return this;
        }

        /** Checkpoints of this run to keep, the newest (default 3). */
        public Builder keep(int v) {
            keep = v;
            return this;
        }

        /** The data's provenance; by default what the trainer's data set tells of itself ({@link DataProvenance#of}). */
        public Builder data(DataProvenance v) {
            data = v;
            return this;
        }

        /** Settings of the program running the training, recorded as they are ({@code saekit train}'s). */
        public Builder cli(JsonNode v) {
            cli = v;
            return this;
        }

        /** Arrays to save with the model (a data mean, ...). */
        public Builder attachments(Map<String, INDArray> v) {
            attachments = v;
            return this;
        }

        /**
         * The id the checkpoints carry: pass the id of the checkpoint a run resumes from, so that its
         * checkpoints and the resumed run's are one run (only that run's older checkpoints are pruned).
         * A new id by default.
         */
        public Builder runId(String v) {
            runId = v;
            return this;
        }

        public CheckpointListener build() {
            if (every < 0) {
                throw new IllegalArgumentException("every must be >= 0, was " + every);
            }
            if (keep < 1) {
                throw new IllegalArgumentException("keep must be >= 1, was " + keep);
            }
            return new CheckpointListener(this);
        }
    }

    @Override
    public void onTrainingStart(TrainingContext context) {
        this.context = context;
        this.contextData = data != null ? data : DataProvenance.of(context.data());
        this.last = context.start();
        this.pendingAtEpochEnd = false;
    }

    @Override
    public void onStep(StepState s) {
        boolean epochEnds = s.stepInEpoch() == s.stepsPerEpoch();
        last = epochEnds
                ? new TrainingProgress(s.epoch() + 1, 0, s.step())
                : new TrainingProgress(s.epoch(), s.stepInEpoch(), s.step());
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

    /** The id of the run these checkpoints belong to. */
    public String runId() {
        return runId;
    }

    /** The directory of the latest checkpoint saved, or null. */
    public Path lastSaved() {
        return saved == null ? null : root.resolve(String.format("step-%09d", saved.step()));
    }

    /** {@code attachments} with {@value #SCALE_ATTACHMENT} multiplied by the run's normalisation factor. */
    static Map<String, INDArray> withNormalization(Map<String, INDArray> attachments, TrainingConfig config) {
        double s = config.normalization().resolved() ? config.normalization().factor() : 1.0;
        if (s == 1.0) {
            return attachments;
        }
        Map<String, INDArray> out = attachments == null ? new LinkedHashMap<>() : new LinkedHashMap<>(attachments);
        INDArray given = out.get(SCALE_ATTACHMENT);
        double scale = given == null ? 1.0 : given.getDouble(0);
        out.put(SCALE_ATTACHMENT, Nd4j.createFromArray(new double[] {scale * s}));
        return out;
    }

    private void save() {
        if (last == null || last.equals(saved)) {
            return;
        }
        try {
            Checkpoints.save(
                    root,
                    Checkpoints.State.builder(context.model(), last)
                            .optimizer(context.optimizer())
                            .training(context.config())
                            .data(contextData)
                            .cli(cli)
                            .attachments(withNormalization(attachments, context.config()))
                            .listenerStates(context.listenerStates())
                            .runId(runId)
                            .build(),
                    keep);
            saved = last;
        } catch (IOException e) {
            throw new UncheckedIOException("could not save a checkpoint in " + root + ": " + e.getMessage(), e);
        }
    }
}
