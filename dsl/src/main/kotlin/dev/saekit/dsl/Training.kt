package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.io.Checkpoint
import dev.saekit.io.CheckpointListener
import dev.saekit.io.Checkpoints
import dev.saekit.model.SparseAutoencoder
import dev.saekit.train.DecoderBiasInit
import dev.saekit.train.EpochSummary
import dev.saekit.train.InputNormalization
import dev.saekit.train.KAnnealing
import dev.saekit.train.Loss
import dev.saekit.train.Losses
import dev.saekit.train.OptimizerConfig
import dev.saekit.train.Resampling
import dev.saekit.train.ScaleFolding
import dev.saekit.train.Schedule
import dev.saekit.train.StepState
import dev.saekit.train.Trainer
import dev.saekit.train.TrainingConfig
import dev.saekit.train.TrainingDivergedException
import dev.saekit.train.TrainingListener
import dev.saekit.train.TrainingResult
import dev.saekit.train.listeners.DivergenceCheck
import dev.saekit.train.listeners.ProgressBarListener
import java.nio.file.Path
import kotlin.contracts.ExperimentalContracts
import kotlin.contracts.InvocationKind
import kotlin.contracts.contract

/**
 * Trains [model] on [data] as the block describes and returns the run:
 * ```
 * val run = train(model, npy("acts.npy")) {
 *     epochs = 20; batchSize = 1024
 *     optimizer = adamW(lr = 5e-4); schedule = cosine(warmup = 0.05)
 *     loss = mse + auxK()
 * }
 * run.metrics.r2
 * ```
 *
 * A step whose loss or gradients are not finite stops the run with a [TrainingDivergedException]
 * (the model keeps the weights of the last good step) unless `failOnDivergence = false`, which
 * returns the run with its [TrainingRun.completed] false.
 */
@OptIn(ExperimentalContracts::class)
inline fun train(
    model: SparseAutoencoder,
    data: Dataset,
    block: TrainingBuilder.() -> Unit = {},
): TrainingRun {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    ensureMemoryCaps()
    val builder = TrainingBuilder(model)
    builder.block()
    return builder.run(data)
}

/**
 * The training configuration a block describes, checked, without training (the loss default
 * included).
 */
@OptIn(ExperimentalContracts::class)
inline fun trainingConfig(
    model: SparseAutoencoder,
    block: TrainingBuilder.() -> Unit = {},
): TrainingConfig {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    val builder = TrainingBuilder(model)
    builder.block()
    return builder.config()
}

/**
 * Continues the run saved in [checkpoint] (a checkpoint root, a `step-N` directory or a run
 * directory) on [data], from what the checkpoint records: the model, the training config (its loss
 * rebuilt from the loss's spec), Adam's state and the listeners' states (AuxK's dead-code window).
 * The block adds listeners, as in `train { }`:
 * ```
 * val run = resume(Path.of("ckpt"), npy("acts.npy")) {
 *     checkpoints(Path.of("ckpt"), every = 100)   // the same run goes on saving
 * }
 * ```
 *
 * [data] must be the rows the run trained on (their shape is checked against the checkpoint); in
 * float64 the resumed run then ends bit for bit where the uninterrupted run ends.
 */
@OptIn(ExperimentalContracts::class)
inline fun resume(
    checkpoint: Path,
    data: Dataset,
    block: ResumeBuilder.() -> Unit = {},
): TrainingRun {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    ensureMemoryCaps()
    val builder = ResumeBuilder(Checkpoints.load(checkpoint))
    builder.block()
    return builder.run(data)
}

/**
 * What a run does besides training: its listeners, progress display, divergence handling and
 * evaluation batch, shared by `train { }` and `resume(...) { }`.
 */
@SaekitDsl
abstract class RunBuilder @PublishedApi internal constructor() {
    @PublishedApi internal val listeners = mutableListOf<TrainingListener>()

    /** The run id new checkpoints carry: a resumed run keeps its checkpoint's. */
    protected open val runId: String?
        get() = null

    /** Show a progress bar and one line per epoch on standard error (default off). */
    var progress: Boolean = false

    /**
     * Throw [TrainingDivergedException] when a step is not finite (default); false returns the
     * stopped run.
     */
    var failOnDivergence: Boolean = true

    /**
     * Rows per batch of the final evaluation behind [TrainingRun.metrics] (default: the batch
     * size).
     */
    var evaluationBatchSize: Int? = null

    /** Runs [listener] with the trainer (any [TrainingListener]). */
    fun listener(listener: TrainingListener) {
        listeners += listener
    }

    /** Calls [action] after every optimiser step. */
    fun onStep(action: (StepState) -> Unit) {
        listeners +=
            object : TrainingListener {
                override fun onStep(state: StepState) = action(state)
            }
    }

    /** Calls [action] at the end of every epoch. */
    fun onEpoch(action: (EpochSummary) -> Unit) {
        listeners +=
            object : TrainingListener {
                override fun onEpochEnd(summary: EpochSummary) = action(summary)
            }
    }

    /**
     * Saves a checkpoint into [directory] every [every] steps (0: none) and at the end, keeping the
     * newest [keep]; `loadSae(directory)` reads the newest and `resume(directory, data)` continues
     * the run. Each checkpoint records the training config and the data's shape and description.
     */
    fun checkpoints(directory: Path, every: Long = 0, keep: Int = 3) {
        requireSetting(every >= 0, "checkpoints.every", every, ">= 0 (0: only at the end)")
        requireSetting(keep >= 1, "checkpoints.keep", keep, ">= 1")
        listeners +=
            CheckpointListener.builder(directory).every(every).keep(keep).runId(runId).build()
    }

    /** The engine's listeners of the run, then the block's. */
    @PublishedApi
    internal fun runListeners(): List<TrainingListener> {
        val all = mutableListOf<TrainingListener>(DivergenceCheck())
        if (progress) {
            all += ProgressBarListener()
        }
        all += listeners
        return all
    }

    @PublishedApi
    internal fun finish(result: TrainingResult) {
        if (!result.completed() && failOnDivergence) {
            throw TrainingDivergedException(result.steps(), result.message())
        }
    }
}

/** The receiver of `resume(checkpoint, data) { }`: the listeners of the continued run. */
@SaekitDsl
class ResumeBuilder
@PublishedApi
internal constructor(
    /** The checkpoint the run continues from (its model, progress and training config). */
    val checkpoint: Checkpoint
) : RunBuilder() {
    override val runId: String?
        get() = checkpoint.runId()

    @PublishedApi
    internal fun run(data: Dataset): TrainingRun {
        evaluationBatchSize?.let { requirePositive("evaluationBatchSize", it) }
        val trainer = checkpoint.trainer(runListeners())
        val result = checkpoint.resume(trainer, data)
        finish(result)
        val config = trainer.config()
        ScaleFolding.fold(checkpoint.model(), config.normalization().factor())
        return TrainingRun(
            checkpoint.model(),
            data,
            config,
            result,
            evaluationBatchSize ?: config.batchSize(),
        )
    }
}

/**
 * The receiver of `train { }`: the engine's [TrainingConfig] as properties, the optimisers,
 * schedules and loss terms as functions, and the listeners.
 */
@SaekitDsl
class TrainingBuilder @PublishedApi internal constructor(private val model: SparseAutoencoder) :
    RunBuilder(), LossTerms {

    /** Passes over the data (default 20). */
    var epochs: Int = 20

    /** Rows per step (default 1024). */
    var batchSize: Int = 1024

    /** Adam or AdamW (default `adam(lr = 5e-4)`). */
    var optimizer: OptimizerConfig = OptimizerConfig.adam(5e-4)

    /** The learning-rate schedule, stepped every batch (default [constant]). */
    var schedule: Schedule = Schedule.constant()

    /** Global gradient-norm bound; 0 turns clipping off (default 1.0). */
    var clip: Double = 1.0

    /**
     * The objective. Default: the engine's for the model (`Losses.defaultFor`, as the command
     * line): the uniform [matryoshka] loss for Matryoshka models (their nested reconstructions need
     * it), `mse + l1(4e-5)` for vanilla and JumpReLU models (their sparsity comes from the loss),
     * [mse] for the others; a crosscoder's is dictionary_learning's: [layerL2] plus
     * `weightedL1(0.1)` (ReLU, JumpReLU) or `1/32 dictionaryLearningAuxK()` (TopK, BatchTopK).
     */
    var loss: Loss? = null

    /** Seed of the batch order (default 0). */
    var seed: Long = 0

    /** Whether each epoch visits the rows in a new seeded order (default) or in file order. */
    var shuffle: Boolean = true

    /**
     * How every row is scaled before the model sees it (default none): [unitNorm], [sqrtWidthNorm]
     * or [fixedScale]. The run's model is returned with the factor folded into its weights, so it
     * takes the raw rows and gives raw-scale reconstructions (`ScaleFolding`).
     */
    var normalization: InputNormalization = InputNormalization.none()

    /**
     * Where the decoder bias starts (SAELens layout only): zero (as built), mean or geometric
     * median.
     */
    var decoderBiasInit: DecoderBiasInit = DecoderBiasInit.ZERO

    /**
     * Rows of the seeded sample that a normalisation estimate and a decoder-bias init read (default
     * 8192).
     */
    var statisticsRows: Int = TrainingConfig.DEFAULT_STATISTICS_ROWS

    /** The L1 coefficient grows linearly from 0 over this many steps (default 0: no warm-up). */
    var l1Warmup: Long = 0

    /** k annealing for the top-k variants (default none): see [annealK]. */
    var kAnnealing: KAnnealing? = null

    /** Dead-latent resampling (default none): see [resample]. */
    var resampling: Resampling? = null

    /** Scale the rows to mean squared norm 1, the factor estimated from [statisticsRows] rows. */
    fun unitNorm(): InputNormalization =
        InputNormalization.estimated(
            InputNormalization.Target.UNIT_MEAN_SQUARED_NORM,
            statisticsRows,
        )

    /**
     * Scale the rows to mean norm sqrt(width) (SAELens), the factor estimated from [statisticsRows]
     * rows.
     */
    fun sqrtWidthNorm(): InputNormalization =
        InputNormalization.estimated(InputNormalization.Target.SQRT_WIDTH_MEAN_NORM, statisticsRows)

    /** Multiply every row by [factor]. */
    fun fixedScale(factor: Double): InputNormalization {
        requirePositive("fixedScale.factor", factor)
        return InputNormalization.fixed(factor)
    }

    /**
     * k falls linearly from [start] to the model's k over [steps] steps (dictionary_learning's
     * rule).
     */
    fun annealK(start: Int, steps: Long): KAnnealing {
        requirePositive("annealK.start", start)
        requireSetting(steps > 0, "annealK.steps", steps, "> 0")
        return KAnnealing(start, steps)
    }

    /**
     * Re-initialise the latents dead since the last resampling every [every] steps, up to step
     * [until] (0: the whole run), from [sampleRows] rows (Bricken et al. 2023).
     */
    fun resample(
        every: Long,
        until: Long = 0,
        sampleRows: Int = Resampling.DEFAULT_SAMPLE_ROWS,
    ): Resampling {
        requireSetting(every > 0, "resample.every", every, "> 0")
        requireSetting(until >= 0, "resample.until", until, ">= 0 (0: the whole run)")
        requirePositive("resample.sampleRows", sampleRows)
        return Resampling(every, until, sampleRows)
    }

    // ---------------------------------------------------------------- optimisers and schedules

    /** Adam (torch's defaults); [weightDecay] is added to the gradient. */
    fun adam(
        lr: Double,
        beta1: Double = 0.9,
        beta2: Double = 0.999,
        eps: Double = 1e-8,
        weightDecay: Double = 0.0,
    ) = optimizer(OptimizerConfig.Kind.ADAM, "adam", lr, beta1, beta2, eps, weightDecay)

    /** AdamW (torch's defaults): decoupled [weightDecay]. */
    fun adamW(
        lr: Double,
        beta1: Double = 0.9,
        beta2: Double = 0.999,
        eps: Double = 1e-8,
        weightDecay: Double = 0.01,
    ) = optimizer(OptimizerConfig.Kind.ADAMW, "adamW", lr, beta1, beta2, eps, weightDecay)

    private fun optimizer(
        kind: OptimizerConfig.Kind,
        name: String,
        lr: Double,
        beta1: Double,
        beta2: Double,
        eps: Double,
        weightDecay: Double,
    ): OptimizerConfig {
        requirePositive("$name.lr", lr)
        requireFraction("$name.beta1", beta1)
        requireFraction("$name.beta2", beta2)
        requirePositive("$name.eps", eps)
        requireNonNegative("$name.weightDecay", weightDecay)
        return OptimizerConfig(kind, lr, beta1, beta2, eps, weightDecay)
    }

    /** The same learning rate throughout. */
    fun constant(): Schedule = Schedule.constant()

    /**
     * Linear warm-up over a [warmup] fraction of the steps, then cosine decay to [minFactor] times
     * the rate.
     */
    fun cosine(warmup: Double = 0.0, minFactor: Double = 0.0): Schedule {
        requireFraction("cosine.warmup", warmup)
        requireSetting(minFactor in 0.0..1.0, "cosine.minFactor", minFactor, "in [0, 1]")
        return Schedule.cosine(warmup, minFactor)
    }

    /**
     * Linear warm-up over a [warmup] fraction of the steps, then linear decay to [endFactor] times
     * the rate.
     */
    fun linear(warmup: Double = 0.0, endFactor: Double = 0.0): Schedule {
        requireFraction("linear.warmup", warmup)
        requireSetting(endFactor in 0.0..1.0, "linear.endFactor", endFactor, "in [0, 1]")
        return Schedule.linearDecay(warmup, endFactor)
    }

    // ---------------------------------------------------------------- end of the block

    /** The checked configuration. */
    @PublishedApi
    internal fun config(): TrainingConfig {
        requirePositive("epochs", epochs)
        requirePositive("batchSize", batchSize)
        requireNonNegative("clip", clip)
        evaluationBatchSize?.let { requirePositive("evaluationBatchSize", it) }
        return TrainingConfig.builder()
            .epochs(epochs)
            .batchSize(batchSize)
            .optimizer(optimizer)
            .schedule(schedule)
            .clipNorm(clip)
            .loss(loss ?: Losses.defaultFor(model.spec()))
            .seed(seed)
            .shuffle(shuffle)
            .normalization(normalization)
            .decoderBiasInit(decoderBiasInit)
            .statisticsRows(statisticsRows)
            .sparsityWarmupSteps(l1Warmup)
            .kAnnealing(kAnnealing)
            .resampling(resampling)
            .build()
    }

    @PublishedApi
    internal fun run(data: Dataset): TrainingRun {
        requireSetting(
            data.cols() == model.rowWidth(),
            "data width",
            data.cols(),
            if (model.rowWidth() == model.inputDim())
                "the model's input=${model.inputDim()} (${data.description()})"
            else
                "the transcoder's input=${model.inputDim()} + target=${model.outputDim()} = ${model.rowWidth()}, " +
                    "its input and target side by side (${data.description()}): use sideBySide(input, target)",
        )
        val trainer = Trainer(config(), runListeners())
        val result = trainer.fit(model, data)
        finish(result)
        val config = trainer.config() // an estimated normalisation resolved
        ScaleFolding.fold(model, config.normalization().factor())
        return TrainingRun(model, data, config, result, evaluationBatchSize ?: batchSize)
    }
}
