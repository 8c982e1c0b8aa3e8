package dev.saekit.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A listener whose state changes what training computes (AuxK's dead-code window and mask), so a
 * checkpoint must keep it for a resumed run to continue exactly as the uninterrupted one. The trainer
 * hands its stateful listeners to checkpointing through {@link TrainingContext#statefulListeners()},
 * and restores their saved states right after {@link #onTrainingStart} of a resume
 * ({@link Trainer#resume(dev.saekit.model.SparseAutoencoder, dev.saekit.data.Dataset, TrainingProgress, Map)}).
 */
public interface StatefulListener extends TrainingListener {

    /**
     * The name the state is saved under, e.g. {@code dead_codes.auxk}. When two listeners of one run
     * share a name, the trainer tells them apart by their order ({@code name}, {@code name#2}, ...).
     */
    String stateName();

    /** The state as named arrays: copies, which later steps do not change. */
    Map<String, INDArray> saveState();

    /**
     * Puts back a state that {@link #saveState} returned. Throws {@link IllegalArgumentException},
     * naming the array, for a state that does not fit this listener (another model's width).
     */
    void restoreState(Map<String, INDArray> state);
}
