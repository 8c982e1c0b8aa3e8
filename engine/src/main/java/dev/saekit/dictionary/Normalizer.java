package dev.saekit.dictionary;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A projection of the raw dictionary weights {@code [concepts, input]}, applied in place before
 * each use in training. It is a projection, not a differentiable layer: gradients pass through
 * it unchanged. {@link Normalization} lists the built-in ones; any lambda works too.
 */
@FunctionalInterface
public interface Normalizer {
    void projectInPlace(INDArray weights);

    /**
     * Projects {@code weights} in place, then writes {@code copy = weights * scale}: a training fetch
     * of the dictionary. The built-in {@link Normalization#L2} does both in one pass over the rows.
     */
    default void projectInPlaceAndCopy(INDArray weights, INDArray copy, double scale) {
        projectInPlace(weights);
        copy.assign(weights);
        if (scale != 1.0) {
            copy.muli(scale);
        }
    }
}
