package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.metrics.EvalMetrics
import dev.saekit.metrics.Evaluation
import dev.saekit.model.SparseAutoencoder
import dev.saekit.train.EpochSummary
import dev.saekit.train.TrainingConfig
import dev.saekit.train.TrainingResult
import dev.saekit.train.listeners.MetricHistory

/**
 * A finished `train { }` run: the trained [model], what it was trained on and how, the engine's
 * [result] and [history], and [metrics] over every row of [data] in evaluation mode (computed on
 * first use).
 */
class TrainingRun(
    val model: SparseAutoencoder,
    val data: Dataset,
    val config: TrainingConfig,
    val result: TrainingResult,
    private val evaluationBatchSize: Int,
) {
    /** r2, explained variance, L0, dead fraction and the rest over the whole data set. */
    val metrics: EvalMetrics by lazy { Evaluation.of(model, data, evaluationBatchSize) }

    /** Per-step and per-epoch records. */
    val history: MetricHistory
        get() = result.history()

    /** Whether every epoch ran (false after a divergence with `failOnDivergence = false`). */
    val completed: Boolean
        get() = result.completed()

    /** Optimiser steps taken. */
    val steps: Long
        get() = result.steps()

    /** Wall-clock seconds of training. */
    val seconds: Double
        get() = result.seconds()

    /** The last epoch's summary (loss, r2, L0, dead fraction), if an epoch ended. */
    val lastEpoch: EpochSummary?
        get() = result.lastEpoch().orElse(null)

    override fun toString(): String =
        "TrainingRun[${result.status()}, $steps steps in ${String.format(java.util.Locale.ROOT, "%.1f", seconds)} s, model=$model]"
}
