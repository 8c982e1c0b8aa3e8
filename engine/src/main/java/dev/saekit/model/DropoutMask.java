package dev.saekit.model;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Atom dropout for the pursuit SAEs: a Bernoulli keep-mask over the atoms, drawn from a seeded
 * generator whose state is a buffer ({@code dropout_rng_state}, int64) so that a checkpoint resumes
 * the same masks. Loading the buffer re-seats the generator.
 */
final class DropoutMask {
    static final String STATE = "dropout_rng_state";

    private final double probability;
    private final SeededRandom rng;
    private final Parameter state;
    private long syncedVersion;

    DropoutMask(double probability, long seed) {
        this.probability = probability;
        this.rng = new SeededRandom(seed);
        this.state = Parameter.buffer(STATE, Nd4j.scalar(DataType.LONG, rng.state()));
        this.syncedVersion = state.version();
    }

    Parameter state() {
        return state;
    }

    /** A new {@code [atoms, 1]} mask of 0/1 values, each atom kept with probability {@code 1 - p}. */
    INDArray draw(int atoms, DType dtype) {
        if (state.version() != syncedVersion) {
            rng.setState(state.value().getLong(0));
        }
        double[] keep = new double[atoms];
        for (int j = 0; j < atoms; j++) {
            keep[j] = rng.nextDouble() < 1.0 - probability ? 1.0 : 0.0;
        }
        state.value().assign(rng.state());
        state.markChanged();
        syncedVersion = state.version();
        return Tensors.fromFlat(dtype, keep, atoms, 1);
    }
}
