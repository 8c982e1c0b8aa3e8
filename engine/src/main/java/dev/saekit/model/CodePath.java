package dev.saekit.model;

/**
 * How a training step handles the codes of a variant whose sparsity comes from its training (vanilla,
 * JumpReLU), whose codes are dense early in training or under a weak penalty and sparse once it
 * works: decode and back-propagate through dense products, or through the non-zero codes only (as
 * TopK always does). Both paths compute the same outputs and gradients, up to float rounding.
 */
public enum CodePath {
    /** The sparse path when the forward's codes are few enough for it to be faster (the default). */
    AUTO,
    /** Always the sparse path (where the variant can take it: not a JumpReLU with the cauchy kernel). */
    SPARSE,
    /** Always the dense products. */
    DENSE
}
