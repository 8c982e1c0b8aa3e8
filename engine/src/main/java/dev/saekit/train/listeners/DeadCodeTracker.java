package dev.saekit.train.listeners;

import dev.saekit.train.EpochSummary;
import dev.saekit.train.StepState;
import dev.saekit.train.TrainingContext;
import dev.saekit.train.TrainingListener;
import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Tracks which concepts fired ({@code z != 0}) in a window of steps: by default each epoch, or
 * every {@code windowSteps} steps. A concept that never fires in a window is dead. The mask of
 * the last complete window stays readable while the next one fills.
 */
public final class DeadCodeTracker implements TrainingListener {
    private final long windowSteps;
    private boolean[] active;
    private boolean[] lastDead;
    private long stepsInWindow;

    /** Windows of one epoch. */
    public DeadCodeTracker() {
        this(0);
    }

    /** Windows of {@code windowSteps} steps; 0 means one epoch. */
    public DeadCodeTracker(long windowSteps) {
        if (windowSteps < 0) {
            throw new IllegalArgumentException("windowSteps must be >= 0, was " + windowSteps);
        }
        this.windowSteps = windowSteps;
    }

    @Override
    public void onTrainingStart(TrainingContext context) {
        active = new boolean[context.model().nbConcepts()];
        lastDead = null;
        stepsInWindow = 0;
    }

    @Override
    public void onStep(StepState state) {
        SparseCodes sparse = state.output().sparseCodes();
        if (sparse != null) { // few codes: mark their concepts, no pass over the dense codes
            update(sparse);
        } else {
            update(state.output().codes());
        }
        if (windowSteps > 0 && stepsInWindow >= windowSteps) {
            closeWindow();
        }
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        if (windowSteps == 0) {
            closeWindow();
        }
    }

    /** Marks the concepts that fire in {@code codes [batch, concepts]}. */
    public void update(INDArray codes) {
        RowKernels.markNonZeroColumns(codes, active((int) codes.columns()));
        stepsInWindow++;
    }

    /** Marks the concepts that have a non-zero code in {@code codes}. */
    public void update(SparseCodes codes) {
        codes.markConcepts(active(codes.concepts()));
        stepsInWindow++;
    }

    private boolean[] active(int concepts) {
        if (active == null) {
            active = new boolean[concepts];
        }
        return active;
    }

    private void closeWindow() {
        lastDead = new boolean[active.length];
        for (int j = 0; j < active.length; j++) {
            lastDead[j] = !active[j];
            active[j] = false;
        }
        stepsInWindow = 0;
    }

    /** Dead concepts of the last complete window (all false before the first one closes). */
    public boolean[] deadMask() {
        if (lastDead == null) {
            return active == null ? new boolean[0] : new boolean[active.length];
        }
        return lastDead.clone();
    }

    /** Fraction of dead concepts in the last complete window (the current one if none closed yet). */
    public double deadFraction() {
        boolean[] dead = lastDead;
        if (dead == null) {
            if (active == null || stepsInWindow == 0) {
                return 0.0;
            }
            dead = new boolean[active.length];
            for (int j = 0; j < active.length; j++) {
                dead[j] = !active[j];
            }
        }
        int n = 0;
        for (boolean b : dead) {
            n += b ? 1 : 0;
        }
        return dead.length == 0 ? 0.0 : (double) n / dead.length;
    }
}
