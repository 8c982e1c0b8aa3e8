package dev.saekit.tensor;

import java.util.List;
import java.util.Optional;

/**
 * Anything that owns parameters: dictionaries, encoders, models. Parameters are listed in a
 * stable order with their state-dict names; that order is the order of optimiser state and of
 * saved weights.
 */
public interface Module {

    /** Every parameter and buffer, in a stable order. */
    List<Parameter> parameters();

    /** The parameter called {@code name}, if any. */
    default Optional<Parameter> parameter(String name) {
        return parameters().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Sets every gradient to zero. */
    default void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }

    /** Number of trainable scalars. */
    default long trainableCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            if (p.isTrainable()) {
                n = Math.addExact(n, p.value().length());
            }
        }
        return n;
    }
}
