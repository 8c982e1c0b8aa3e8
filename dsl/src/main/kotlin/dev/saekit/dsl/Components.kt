package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.dictionary.Normalization
import dev.saekit.encoder.EncoderKind
import org.nd4j.linalg.api.ndarray.INDArray

/** How a model encodes, set with `encoder = ...` in `sae { }`. */
sealed class EncoderChoice {
    /**
     * An encoder of the given architecture: `linear()`, `mlp(layers = 3, norm = MlpNorm.LAYER)`.
     */
    class Architecture internal constructor(val kind: EncoderKind) : EncoderChoice() {
        override fun toString() = kind.label()
    }

    /** The encoder reuses the dictionary, transposed (`z_pre = x D^T (+ b)`). */
    class Tied internal constructor(val bias: Boolean) : EncoderChoice() {
        override fun toString() = "tied(bias=$bias)"
    }

    /** A linear encoder of its own, starting as a copy of the dictionary. */
    class Untied internal constructor(val bias: Boolean) : EncoderChoice() {
        override fun toString() = "untied(bias=$bias)"
    }

    /**
     * The SAELens layout: `W_enc`, `b_enc`, a plain `W_dec` and a decoder bias `b_dec`, with `z_pre
     * = (x - b_dec) W_enc + b_enc` when [subtractDecoderBias].
     */
    class SaeLens internal constructor(val subtractDecoderBias: Boolean) : EncoderChoice() {
        override fun toString() = "saeLens(subtractDecoderBias=$subtractDecoderBias)"
    }
}

/** The normalisation inside an MLP encoder's blocks. */
enum class MlpNorm {
    LAYER,
    BATCH,
}

/** The dictionary a model decodes with, set with `dictionary = ...` in `sae { }`. */
sealed class DictionaryChoice {
    /**
     * Atoms projected by [normalization] at each training fetch, optionally scaled by a learned
     * `exp(m)`.
     */
    class Standard internal constructor(val normalization: Normalization, val multiplier: Boolean) :
        DictionaryChoice() {
        override fun toString() = "standard(normalization=$normalization, multiplier=$multiplier)"
    }

    /**
     * A relaxed archetypal dictionary (Fel et al., 2025): each atom a convex mix of [points] plus a
     * relaxation of norm at most [delta].
     */
    class Archetypal
    internal constructor(val points: Candidates, val delta: Double, val multiplier: Boolean) :
        DictionaryChoice() {
        override fun toString() = "archetypal(points=$points, delta=$delta, multiplier=$multiplier)"
    }
}

/** Candidate points of an archetypal dictionary: given rows, or k-means centroids of a data set. */
sealed class Candidates {
    /** The number of points. */
    abstract val count: Int

    /** The rows of [matrix] (`[count, input]`). */
    class Rows internal constructor(val matrix: INDArray) : Candidates() {
        override val count: Int
            get() = matrix.rows().toInt()

        override fun toString() = "rows${matrix.shape().contentToString()}"
    }

    /**
     * [count] k-means centroids of a seeded sample of at most [maxRows] rows of [data], after at
     * most [iterations] Lloyd steps; the seed is the model's unless given.
     */
    class KMeans
    internal constructor(
        val data: Dataset,
        override val count: Int,
        val maxRows: Int,
        val iterations: Int,
        val seed: Long?,
    ) : Candidates() {
        override fun toString() =
            "kMeans(${data.description()}, count=$count, maxRows=$maxRows, iterations=$iterations)"
    }
}
