package dev.saekit.train;

import dev.saekit.tensor.Parameter;
import java.util.List;

/** Updates trainable parameters in place from their accumulated gradients. */
public interface Optimizer {

    /** One update of every trainable parameter in {@code parameters} at learning rate {@code lr}. */
    void step(List<Parameter> parameters, double lr);

    /**
     * One update from the gradients multiplied by {@code gradScale} (the clipping coefficient). By
     * default the gradients are scaled in place first; an optimiser may instead fold the factor into
     * its own pass, leaving the gradients as they are.
     */
    default void step(List<Parameter> parameters, double lr, double gradScale) {
        if (gradScale != 1.0) {
            for (Parameter p : parameters) {
                if (p.isTrainable()) {
                    p.grad().muli(gradScale);
                }
            }
        }
        step(parameters, lr);
    }

    /** The configuration this optimiser was built from. */
    OptimizerConfig config();
}
