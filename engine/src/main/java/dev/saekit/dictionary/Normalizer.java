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
}
