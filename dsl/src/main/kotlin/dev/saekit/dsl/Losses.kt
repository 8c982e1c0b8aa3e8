package dev.saekit.dsl

import dev.saekit.model.CodeNormalization
import dev.saekit.train.AuxKLoss
import dev.saekit.train.CoderLosses
import dev.saekit.train.DictionaryLearningAuxKLoss
import dev.saekit.train.Loss
import dev.saekit.train.Losses
import dev.saekit.train.MatchingPursuitReviveLoss
import dev.saekit.train.MatryoshkaLoss
import dev.saekit.train.ReanimationLoss
import dev.saekit.train.TopKAuxiliaryLoss
import dev.saekit.train.listeners.DeadCodeTracker

/**
 * The loss terms of a training block. Terms add with `+` and take weights with `*` (`mse + 0.1 *
 * topKAux()`); both are the engine's [Loss.plus] and [Loss.times].
 */
@SaekitDsl
interface LossTerms {
    /** Mean squared reconstruction error over every entry of the batch. */
    val mse: Loss
        get() = Losses.mse()

    /** `lambda * sum |z|` over the whole batch (so [lambda] scales with 1/batch size). */
    fun l1(lambda: Double): Loss {
        requireNonNegative("l1.lambda", lambda)
        return Losses.l1(lambda)
    }

    /**
     * Gao et al.'s AuxK: dead concepts explain the residual. [kAux] concepts per row (0: half the
     * input width), scaled by [coefficient] and by `min(dead / kAux, 1)`; a concept is dead when it
     * did not fire in the last [window] steps (0: the last epoch). [flavor]: SAELens's definition
     * (default) or sparsify's. The trainer runs its dead-code tracker, and checkpoints keep its
     * state.
     */
    fun auxK(
        kAux: Int = 0,
        coefficient: Double = 1.0 / 32,
        window: Long = 0,
        flavor: AuxKLoss.Flavor = AuxKLoss.Flavor.SAELENS,
    ): Loss {
        requireSetting(kAux >= 0, "auxK.kAux", kAux, ">= 0 (0: half the input width)")
        requireNonNegative("auxK.coefficient", coefficient)
        requireSetting(window >= 0, "auxK.window", window, ">= 0 (0: one epoch)")
        return AuxKLoss(
            DeadCodeTracker(DeadCodeTracker.AUXK_STATE, window),
            kAux,
            coefficient,
            flavor,
        )
    }

    /**
     * overcomplete's auxiliary TopK loss: the residual explained by the codes the top-k dropped.
     */
    fun topKAux(penalty: Double = 0.1): Loss {
        requireNonNegative("topKAux.penalty", penalty)
        return TopKAuxiliaryLoss(penalty)
    }

    /**
     * sparsify's fraction of variance unexplained: squared error over the batch's total variance of
     * the target, the loss sparsify trains its transcoders on.
     */
    val fvu: Loss
        get() = CoderLosses.Fvu()

    /**
     * The crosscoder paper's reconstruction error: the Euclidean norm (not squared) of each of the
     * [layers] layers' errors, averaged over rows and layers.
     */
    fun layerL2(layers: Int): Loss {
        requirePositive("layerL2.layers", layers)
        return CoderLosses.LayerL2(layers)
    }

    /**
     * The crosscoder paper's sparsity penalty: `lambda * mean_rows(sum_j |z_j| w_j)`, each concept
     * weighted by its decoder norms over the [layers] layers ([normalization]).
     */
    fun weightedL1(
        lambda: Double,
        layers: Int,
        normalization: CodeNormalization = CodeNormalization.CROSSCODER,
    ): Loss {
        requireNonNegative("weightedL1.lambda", lambda)
        requirePositive("weightedL1.layers", layers)
        return CoderLosses.WeightedL1(lambda, layers, normalization)
    }

    /**
     * dictionary_learning's AuxK (its BatchTopK SAE and crosscoder): concepts silent for
     * [deadTokens] rows explain the residual, [kAux] per row (0: half a layer's width), chosen by
     * their codes weighted by decoder norms ([layers], [normalization]), divided by the residual's
     * variance; weight it with `*` (dictionary_learning: `1.0 / 32 * dictionaryLearningAuxK()`).
     */
    fun dictionaryLearningAuxK(
        kAux: Int = 0,
        deadTokens: Long = DictionaryLearningAuxKLoss.DEFAULT_DEAD_TOKENS,
        layers: Int = 1,
        normalization: CodeNormalization = CodeNormalization.CROSSCODER,
    ): Loss {
        requireSetting(
            kAux >= 0,
            "dictionaryLearningAuxK.kAux",
            kAux,
            ">= 0 (0: half a layer's width)",
        )
        requireSetting(deadTokens >= 1, "dictionaryLearningAuxK.deadTokens", deadTokens, ">= 1")
        requirePositive("dictionaryLearningAuxK.layers", layers)
        return DictionaryLearningAuxKLoss(1.0, kAux, deadTokens, layers, normalization)
    }

    /** overcomplete's reanimation loss: pushes the pre-codes of dead concepts up. */
    fun reanimation(penalty: Double = 0.1): Loss {
        requireNonNegative("reanimation.penalty", penalty)
        return ReanimationLoss(penalty)
    }

    /** Revives atoms a matching pursuit leaves unused (matching-pursuit models only). */
    fun matchingPursuitRevive(
        coefficient: Double = 1e-2,
        threshold: Double = 1e-2,
        minDead: Int = 10,
    ): Loss {
        requireNonNegative("matchingPursuitRevive.coefficient", coefficient)
        requireNonNegative("matchingPursuitRevive.threshold", threshold)
        requireSetting(minDead >= 0, "matchingPursuitRevive.minDead", minDead, ">= 0")
        return MatchingPursuitReviveLoss(coefficient, threshold, minDead)
    }

    /**
     * The nested loss of Matryoshka models: each level's reconstruction error ([kind]: MSE or
     * NMSE), weighted uniformly (UW, default), in reverse (RW: smaller levels count more), or by
     * [weights].
     */
    fun matryoshka(
        kind: MatryoshkaLoss.Kind = MatryoshkaLoss.Kind.MSE,
        reverseWeighted: Boolean = false,
        weights: List<Double>? = null,
    ): Loss {
        requireSetting(
            weights == null || !reverseWeighted,
            "matryoshka.weights",
            weights,
            "null when reverseWeighted = true",
        )
        weights?.forEachIndexed { i, w -> requireNonNegative("matryoshka.weights[$i]", w) }
        return when {
            weights != null -> MatryoshkaLoss.weighted(weights, kind)
            reverseWeighted -> MatryoshkaLoss.reverseWeighted(kind)
            else -> MatryoshkaLoss.uniform(kind)
        }
    }
}

/** `0.1 * topKAux()`: the term with its value and gradients scaled. */
operator fun Double.times(loss: Loss): Loss = loss.times(this)

/** `2 * mse`. */
operator fun Int.times(loss: Loss): Loss = loss.times(this.toDouble())
