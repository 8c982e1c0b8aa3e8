package dev.saekit.train.listeners;

import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.train.EpochSummary;
import dev.saekit.train.StatefulListener;
import dev.saekit.train.StepState;
import dev.saekit.train.TrainingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Tracks which concepts fired ({@code z != 0}) in a window of steps: by default each epoch, or
 * every {@code windowSteps} steps. A concept that never fires in a window is dead. The mask of
 * the last complete window stays readable while the next one fills.
 *
 * <p>Its state (the open window and the last mask) is saved with checkpoints
 * ({@link StatefulListener}), so a resumed AuxK run sees the same dead concepts as an uninterrupted one.
 */
public final class DeadCodeTracker implements StatefulListener {
    /** The state name of the trainer's own tracker (the dead fraction of each epoch). */
    public static final String EPOCH_STATE = "dead_codes.epoch";
    /** The state name of the tracker an AuxK loss makes for itself. */
    public static final String AUXK_STATE = "dead_codes.auxk";

    private final String stateName;
    private final long windowSteps;
    private final boolean frozen;
    private boolean[] active;
    private boolean[] lastDead;
    private long stepsInWindow;
    private dev.saekit.parallel.Collective collective = dev.saekit.parallel.Collective.single();

    /** Windows of one epoch. */
    public DeadCodeTracker() {
        this(0);
    }

    /** Windows of {@code windowSteps} steps; 0 means one epoch. */
    public DeadCodeTracker(long windowSteps) {
        this("dead_codes", windowSteps);
    }

    /** Windows of {@code windowSteps} steps (0: one epoch), its state saved under {@code stateName}. */
    public DeadCodeTracker(String stateName, long windowSteps) {
        if (windowSteps < 0) {
            throw new IllegalArgumentException("windowSteps must be >= 0, was " + windowSteps);
        }
        if (stateName == null || stateName.isBlank()) {
            throw new IllegalArgumentException("a state name is required");
        }
        this.stateName = stateName;
        this.windowSteps = windowSteps;
        this.frozen = false;
    }

    private DeadCodeTracker(String stateName, boolean[] dead) {
        this.stateName = stateName;
        this.windowSteps = 0;
        this.frozen = true;
        this.lastDead = dead.clone();
        this.active = new boolean[dead.length];
    }

    /**
     * A tracker whose mask is {@code dead} at every step, whatever fires: the same dead set for every
     * step of a benchmark (as the peers' AuxK benchmark freezes its dead counter) or a test.
     */
    public static DeadCodeTracker frozen(String stateName, boolean[] dead) {
        if (stateName == null || stateName.isBlank()) {
            throw new IllegalArgumentException("a state name is required");
        }
        if (dead == null || dead.length == 0) {
            throw new IllegalArgumentException("a frozen tracker needs a mask of one flag per concept");
        }
        return new DeadCodeTracker(stateName, dead);
    }

    /** Whether the mask is fixed ({@link #frozen}) rather than read from the codes. */
    public boolean isFrozen() {
        return frozen;
    }

    /** Steps per window; 0 means one epoch. */
    public long windowSteps() {
        return windowSteps;
    }

    @Override
    public void onTrainingStart(TrainingContext context) {
        collective = context.collective();
        if (frozen) {
            int concepts = context.model().nbConcepts();
            if (lastDead.length != concepts) {
                throw new IllegalStateException(stateName + ": the frozen mask has " + lastDead.length
                        + " flags, the model " + concepts + " concepts");
            }
            return;
        }
        active = new boolean[context.model().nbConcepts()];
        lastDead = null;
        stepsInWindow = 0;
    }

    @Override
    public void onStep(StepState state) {
        if (frozen) {
            return;
        }
        SparseCodes sparse = state.output().sparseCodes();
        if (sparse != null) { // few codes: mark their concepts, no pass over the dense codes
            update(sparse);
        } else {
            update(state.output().codes());
        }
        if (!collective.isSingle()) { // data-parallel: a concept fired if it fired on any worker
            double[] fired = new double[active.length];
            for (int j = 0; j < fired.length; j++) {
                fired[j] = active[j] ? 1 : 0;
            }
            collective.sum(fired); // each step, so that every worker's window (and its saved state) is the same
            for (int j = 0; j < fired.length; j++) {
                active[j] = fired[j] > 0;
            }
        }
        if (windowSteps > 0 && stepsInWindow >= windowSteps) {
            closeWindow();
        }
    }

    @Override
    public void onEpochEnd(EpochSummary summary) {
        if (windowSteps == 0 && !frozen) {
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

    @Override
    public String stateName() {
        return stateName;
    }

    /**
     * {@code active} (1 for each concept that fired in the open window), {@code steps_in_window}, and
     * {@code last_dead} (the mask AuxK reads) once a window has closed; int64 arrays.
     */
    @Override
    public Map<String, INDArray> saveState() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        if (active != null) {
            state.put("active", flags(active));
        }
        state.put("steps_in_window", Nd4j.createFromArray(new long[] {stepsInWindow}));
        if (lastDead != null) {
            state.put("last_dead", flags(lastDead));
        }
        return state;
    }

    @Override
    public void restoreState(Map<String, INDArray> state) {
        INDArray steps = state.get("steps_in_window");
        if (steps == null || steps.length() != 1 || steps.getLong(0) < 0) {
            throw new IllegalArgumentException(stateName + ": steps_in_window must be one count >= 0, was " + steps);
        }
        int concepts = active != null ? active.length : -1;
        boolean[] restoredActive =
                state.containsKey("active") ? flags("active", state.get("active"), concepts) : active;
        boolean[] restoredDead = state.containsKey("last_dead")
                ? flags("last_dead", state.get("last_dead"), restoredActive == null ? -1 : restoredActive.length)
                : null;
        active = restoredActive;
        lastDead = restoredDead;
        stepsInWindow = steps.getLong(0);
    }

    private static INDArray flags(boolean[] b) {
        long[] v = new long[b.length];
        for (int j = 0; j < b.length; j++) {
            v[j] = b[j] ? 1 : 0;
        }
        return Nd4j.createFromArray(v);
    }

    private boolean[] flags(String name, INDArray a, int expected) {
        if (a.rank() != 1 || (expected >= 0 && a.length() != expected)) {
            throw new IllegalArgumentException(stateName + ": " + name + " must be a vector of "
                    + (expected >= 0 ? expected : "n") + " flags, was shape " + java.util.Arrays.toString(a.shape()));
        }
        long[] v = a.castTo(DataType.LONG).toLongVector();
        boolean[] b = new boolean[v.length];
        for (int j = 0; j < v.length; j++) {
            if (v[j] != 0 && v[j] != 1) {
                throw new IllegalArgumentException(stateName + ": " + name + "[" + j + "] must be 0 or 1, was " + v[j]);
            }
            b[j] = v[j] == 1;
        }
        return b;
    }
}
