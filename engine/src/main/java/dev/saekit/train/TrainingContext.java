package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.model.SparseAutoencoder;
import java.util.Map;

/**
 * What a listener learns when training starts: the model, the data, the config, the run's length, the
 * optimiser (whose state a checkpoint saves), where the run starts (not at step 0 when resumed) and
 * the run's {@linkplain StatefulListener stateful listeners} by their unique state names (whose states
 * a checkpoint saves too), and the workers a data-parallel run shares its batches among
 * ({@code collective}: one process alone by default).
 */
public record TrainingContext(
        SparseAutoencoder model,
        Dataset data,
        TrainingConfig config,
        int stepsPerEpoch,
        long totalSteps,
        Optimizer optimizer,
        TrainingProgress start,
        Map<String, StatefulListener> statefulListeners,
        dev.saekit.parallel.Collective collective) {

    /** The context of a run in one process. */
    public TrainingContext(
            SparseAutoencoder model,
            Dataset data,
            TrainingConfig config,
            int stepsPerEpoch,
            long totalSteps,
            Optimizer optimizer,
            TrainingProgress start,
            Map<String, StatefulListener> statefulListeners) {
        this(
                model,
                data,
                config,
                stepsPerEpoch,
                totalSteps,
                optimizer,
                start,
                statefulListeners,
                dev.saekit.parallel.Collective.single());
    }

    public TrainingContext {
        if (collective == null) {
            collective = dev.saekit.parallel.Collective.single();
        }
        statefulListeners = statefulListeners == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(statefulListeners));
    }

    /** The states of the stateful listeners, by name, as a checkpoint saves them. */
    public Map<String, Map<String, org.nd4j.linalg.api.ndarray.INDArray>> listenerStates() {
        Map<String, Map<String, org.nd4j.linalg.api.ndarray.INDArray>> states = new java.util.LinkedHashMap<>();
        statefulListeners.forEach((name, l) -> states.put(name, l.saveState()));
        return states;
    }
}
