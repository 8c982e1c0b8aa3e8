package dev.saekit.dsl

import dev.saekit.model.BatchTopKSae
import dev.saekit.model.JumpKernel
import dev.saekit.model.ModelSpec.VariantSpec

/** Whether a batch-wide k counts codes per sample (`k * batch` for the batch) or for the whole batch. */
enum class KPer { SAMPLE, BATCH }

/**
 * The sparsity mechanism of a model, one type per variant, made by the functions of [SaeBuilder]
 * (`topK(32)`, `batchTopK(50, momentum = 0.95)`, ...). Each type takes only its own options, so an
 * option of another variant does not compile. The values are checked when the `sae { }` block ends,
 * against the number of concepts.
 */
sealed class Sparsity {
    /** How the block spells this choice (`topK(k=32)`). */
    abstract override fun toString(): String

    internal abstract fun spec(concepts: Int): VariantSpec

    /** ReLU codes; sparsity comes from the loss (an `l1` term). Bricken et al. (2023). */
    class Vanilla internal constructor() : Sparsity() {
        override fun toString() = "vanilla()"
        override fun spec(concepts: Int): VariantSpec = VariantSpec.Vanilla()
    }

    /** The `k` largest codes of each sample. Gao et al. (2024). */
    class TopK internal constructor(val k: Int) : Sparsity() {
        override fun toString() = "topK(k=$k)"
        override fun spec(concepts: Int): VariantSpec {
            requireSetting(k in 1..concepts, "topK.k", k, "in 1..concepts=$concepts")
            return VariantSpec.TopK(k)
        }
    }

    /** The largest codes of the whole batch; a running threshold in evaluation. Bussmann, Leask and Nanda (2024). */
    class BatchTopK internal constructor(val k: Int, val per: KPer, val momentum: Double) : Sparsity() {
        override fun toString() = "batchTopK(k=$k, per=$per, momentum=$momentum)"
        override fun spec(concepts: Int): VariantSpec {
            return VariantSpec.BatchTopK(batchK("batchTopK", k, per, concepts), momentum("batchTopK", momentum))
        }
    }

    /** A learned threshold per concept with a straight-through kernel. Rajamanoharan et al. (2024). */
    class JumpRelu internal constructor(val kernel: JumpKernel, val bandwidth: Double) : Sparsity() {
        override fun toString() = "jumpRelu(kernel=$kernel, bandwidth=$bandwidth)"
        override fun spec(concepts: Int): VariantSpec {
            requirePositive("jumpRelu.bandwidth", bandwidth)
            return VariantSpec.JumpRelu(kernel, bandwidth.toFloat())
        }
    }

    /** `k` greedy matching-pursuit steps over the dictionary; no encoder. Costa et al. (2025). */
    class MatchingPursuit internal constructor(val k: Int, val dropout: Double?) : Sparsity() {
        override fun toString() = "matchingPursuit(k=$k, dropout=$dropout)"
        override fun spec(concepts: Int): VariantSpec {
            requireSetting(k >= 1, "matchingPursuit.k", k, ">= 1")
            dropout?.let { requireFraction("matchingPursuit.dropout", it) }
            return VariantSpec.Mp(k, dropout)
        }
    }

    /** `k` orthogonal matching-pursuit steps, each re-fitting its codes by NNLS. Pati, Rezaiifar and Krishnaprasad (1993). */
    class OrthogonalMatchingPursuit internal constructor(val k: Int, val maxIter: Int, val dropout: Double?) : Sparsity() {
        override fun toString() = "orthogonalMatchingPursuit(k=$k, maxIter=$maxIter, dropout=$dropout)"
        override fun spec(concepts: Int): VariantSpec {
            requireSetting(k in 1..concepts, "orthogonalMatchingPursuit.k", k, "in 1..concepts=$concepts")
            requireSetting(maxIter >= 1, "orthogonalMatchingPursuit.maxIter", maxIter, ">= 1")
            dropout?.let { requireFraction("orthogonalMatchingPursuit.dropout", it) }
            return VariantSpec.Omp(k, maxIter, dropout)
        }
    }

    /** The Matryoshka SAE of the MSAE paper: nested TopK levels over one dictionary. Zaigrajew, Baniecki and Biecek (2025). */
    class Msae internal constructor(val nesting: List<Int>, val softCap: Double) : Sparsity() {
        override fun toString() = "msae(nesting=$nesting, softCap=$softCap)"
        override fun spec(concepts: Int): VariantSpec {
            requireSetting(nesting.isNotEmpty() && nesting.all { it in 1..concepts } && nesting.toSet().size == nesting.size,
                "msae.nesting", nesting, "distinct values in 1..concepts=$concepts, at least one")
            requireNonNegative("msae.softCap", softCap)
            return VariantSpec.Msae(nesting.sorted(), softCap)
        }
    }

    /**
     * Nested dictionary prefixes over BatchTopK codes, each prefix trained to reconstruct on its
     * own; the whole dictionary is always the last level. Bussmann et al. (2025); Nabeshima (2024).
     */
    class Matryoshka internal constructor(val k: Int, val prefixes: List<Int>?, val per: KPer, val momentum: Double) :
        Sparsity() {
        override fun toString() = "matryoshka(k=$k, prefixes=${prefixes ?: "concepts/16, concepts/4"}, per=$per, momentum=$momentum)"
        override fun spec(concepts: Int): VariantSpec {
            val sizes = prefixes ?: listOf(maxOf(1, concepts / 16), maxOf(1, concepts / 4)).distinct()
            requireSetting(sizes.all { it in 1..concepts } && sizes.toSet().size == sizes.size,
                "matryoshka.prefixes", sizes, "distinct sizes in 1..concepts=$concepts")
            // as the engine keeps them: sorted, the whole dictionary last
            val nested = sizes.sorted().let { if (it.lastOrNull() == concepts) it else it + concepts }
            return VariantSpec.PrefixMatryoshka(nested, batchK("matryoshka", k, per, concepts), momentum("matryoshka", momentum))
        }
    }

    internal companion object {
        fun batchK(variant: String, k: Int, per: KPer, concepts: Int): BatchTopKSae.BatchK = when (per) {
            KPer.SAMPLE -> {
                requireSetting(k in 1..concepts, "$variant.k", k, "in 1..concepts=$concepts (per sample)")
                BatchTopKSae.BatchK.PerSample(k)
            }
            KPer.BATCH -> {
                requireSetting(k >= 1, "$variant.k", k, ">= 1 (for the whole batch)")
                BatchTopKSae.BatchK.PerBatch(k.toLong())
            }
        }

        fun momentum(variant: String, momentum: Double): Double {
            requireFraction("$variant.momentum", momentum)
            return momentum
        }
    }
}
