package dev.saekit.train;

import dev.saekit.tensor.Parameter;
import java.util.List;

/** Updates trainable parameters in place from their accumulated gradients. */
public interface Optimizer {

    /** One update of every trainable parameter in {@code parameters} at learning rate {@code lr}. */
    void step(List<Parameter> parameters, double lr);

    /** The configuration this optimiser was built from. */
    OptimizerConfig config();
}
