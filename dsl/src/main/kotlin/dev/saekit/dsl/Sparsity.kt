package dev.saekit.dsl

import dev.saekit.model.VariantSpec

/**
 * Whether a batch-wide k counts codes per sample (`k * batch` for the batch) or for the whole
 * batch.
 */
enum class KPer {
    SAMPLE,
    BATCH,
}

/**
 * The sparsity mechanism of a model: the engine's spec record of one variant ([VariantSpec]), made
 * by the functions of [SaeBuilder] (`topK(32)`, `batchTopK(50, momentum = 0.95)`, ...). Each
 * function takes only its own variant's options, so an option of another variant does not compile.
 * The record checks its own values at once; those that depend on the number of concepts are checked
 * when the `sae { }` block ends.
 */
typealias Sparsity = VariantSpec
