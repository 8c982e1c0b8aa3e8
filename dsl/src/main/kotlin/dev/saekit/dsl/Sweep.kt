package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.model.BatchTopKSpec
import dev.saekit.model.JumpReluSpec
import dev.saekit.model.MpSpec
import dev.saekit.model.MsaeSpec
import dev.saekit.model.OmpSpec
import dev.saekit.model.PrefixMatryoshkaSpec
import dev.saekit.model.TopKSpec
import dev.saekit.model.VanillaSpec
import dev.saekit.model.VariantKind
import dev.saekit.sweep.CellResult
import dev.saekit.sweep.DownstreamEvaluator
import dev.saekit.sweep.Preprocessing
import dev.saekit.sweep.SweepGrid
import dev.saekit.sweep.SweepListener
import dev.saekit.sweep.SweepProgressBar
import dev.saekit.sweep.SweepResult
import dev.saekit.sweep.SweepRunner
import dev.saekit.sweep.SweepSettings
import dev.saekit.tensor.DType
import dev.saekit.train.OptimizerConfig
import dev.saekit.train.Schedule
import java.nio.file.Path
import kotlin.contracts.ExperimentalContracts
import kotlin.contracts.InvocationKind
import kotlin.contracts.contract

/**
 * Trains a grid of variants x sparsity levels on [data] into [directory] (the engine's
 * [SweepRunner]: `sweep.json`, `cells/<cell>/model`, `frontier.csv`) and returns every cell's L0,
 * FVU, explained variance and dead fraction:
 * ```
 * val frontier = sweep(words, Path.of("sweeps/glove")) {
 *     concepts = 512; epochs = 6; batchSize = 256
 *     optimizer = adam(lr = 1e-2); schedule = cosine(warmup = 0.05, minFactor = 0.1)
 *     topK(8, 16, 32, 64)
 *     batchTopK(8, 16, 32, 64)
 *     vanilla(1e-4, 3e-4, 1e-3)      // L1 coefficients: each cell lands at the L0 it reaches
 *     jumpRelu(1e-4, 3e-4, 1e-3)
 * }
 * frontier.frontier(TopKSpec.KIND)   // topk's cells by increasing L0
 * ```
 *
 * The variants with a k are given their k levels; vanilla and JumpReLU their L1 coefficients, so a
 * level of the wrong kind does not compile. A directory that holds this sweep already is continued
 * ([SweepBuilder.resume]): its finished cells are read back, not trained again.
 */
@OptIn(ExperimentalContracts::class)
inline fun sweep(data: Dataset, directory: Path, block: SweepBuilder.() -> Unit): SweepResult {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    ensureMemoryCaps()
    val builder = SweepBuilder()
    builder.block()
    return builder.run(data, directory)
}

/**
 * The receiver of `sweep { }`: the engine's [SweepSettings] as properties, one function per variant
 * taking its levels, and the downstream evaluator and listeners.
 */
@SaekitDsl
class SweepBuilder @PublishedApi internal constructor() {
    private val grid = SweepGrid.builder()
    private var cells = 0
    private val listeners = mutableListOf<SweepListener>()
    private var evaluator: DownstreamEvaluator? = null

    /** Number of concepts of every model. Required. */
    var concepts: Int? = null

    /** Element type of the weights (default float32). */
    var dtype: DType = DType.FLOAT32

    /** Seed of every cell's initial weights and batch order (default 0). */
    var seed: Long = 0

    /** Passes over the data per cell (default 20). */
    var epochs: Int = 20

    /** Rows per step (default 1024); the L1 term sums over them. */
    var batchSize: Int = 1024

    /** Adam or AdamW (default `adam(lr = 5e-4)`). */
    var optimizer: OptimizerConfig = OptimizerConfig.adam(5e-4)

    /** The learning-rate schedule, stepped every batch (default [constant]). */
    var schedule: Schedule = Schedule.constant()

    /** Global gradient-norm bound; 0 turns clipping off (default 1.0). */
    var clip: Double = 1.0

    /** AuxK for the variants that pick their codes by top-k, as `train` adds it (default true). */
    var auxK: Boolean = true

    /**
     * What the rows went through before (default: nothing), saved with every model and given to the
     * downstream evaluator: `Preprocessing(mean, scale)` for rows centred by `mean`, then scaled.
     */
    var preprocessing: Preprocessing = Preprocessing.none()

    /**
     * Continue the sweep [directory][sweep] holds, training only its missing cells (default true);
     * false refuses a directory that holds a sweep. A sweep continued with other settings is
     * refused, naming the setting.
     */
    var resume: Boolean = true

    /** A progress bar over the whole grid and one line per cell on standard error (default off). */
    var progress: Boolean = false

    // ---------------------------------------------------------------- the grid

    /** TopK at each k (codes per row). */
    fun topK(vararg k: Int) = k(TopKSpec.KIND, "topK", k)

    /** BatchTopK at each k (codes per row, on average over the batch). */
    fun batchTopK(vararg k: Int) = k(BatchTopKSpec.KIND, "batchTopK", k)

    /** The prefix Matryoshka at each k. */
    fun matryoshka(vararg k: Int) = k(PrefixMatryoshkaSpec.KIND, "matryoshka", k)

    /** The MSAE Matryoshka with nesting `k/4, k/2, k` at each k. */
    fun msae(vararg k: Int) = k(MsaeSpec.KIND, "msae", k)

    /** Matching pursuit at each number of steps. */
    fun matchingPursuit(vararg steps: Int) = k(MpSpec.KIND, "matchingPursuit", steps)

    /** Orthogonal matching pursuit at each number of steps. */
    fun orthogonalMatchingPursuit(vararg steps: Int) =
        k(OmpSpec.KIND, "orthogonalMatchingPursuit", steps)

    /** The vanilla SAE at each L1 coefficient of `mse + l1 * sum(|z|)`. */
    fun vanilla(vararg l1: Double) = l1(VanillaSpec.KIND, "vanilla", l1)

    /** JumpReLU at each L1 coefficient of `mse + l1 * sum(|z|)`. */
    fun jumpRelu(vararg l1: Double) = l1(JumpReluSpec.KIND, "jumpRelu", l1)

    private fun k(kind: VariantKind, name: String, ks: IntArray) {
        requireSetting(ks.isNotEmpty(), "$name levels", "none", "at least one k")
        ks.forEach { requireSetting(it >= 1, "$name k", it, ">= 1") }
        grid.k(kind, *ks)
        cells += ks.size
    }

    private fun l1(kind: VariantKind, name: String, l1: DoubleArray) {
        requireSetting(l1.isNotEmpty(), "$name levels", "none", "at least one L1 coefficient")
        l1.forEach { requireNonNegative("$name l1", it) }
        grid.l1(kind, *l1)
        cells += l1.size
    }

    // ---------------------------------------------------------------- optimisers and schedules

    /** Adam (torch's defaults) at [lr]. */
    fun adam(lr: Double, weightDecay: Double = 0.0): OptimizerConfig {
        requirePositive("adam.lr", lr)
        requireNonNegative("adam.weightDecay", weightDecay)
        return OptimizerConfig(OptimizerConfig.Kind.ADAM, lr, 0.9, 0.999, 1e-8, weightDecay)
    }

    /** AdamW (torch's defaults) at [lr] with decoupled [weightDecay]. */
    fun adamW(lr: Double, weightDecay: Double = 0.01): OptimizerConfig {
        requirePositive("adamW.lr", lr)
        requireNonNegative("adamW.weightDecay", weightDecay)
        return OptimizerConfig(OptimizerConfig.Kind.ADAMW, lr, 0.9, 0.999, 1e-8, weightDecay)
    }

    /** The same learning rate throughout. */
    fun constant(): Schedule = Schedule.constant()

    /**
     * Warm-up over a [warmup] fraction of the steps, then cosine decay to [minFactor] times the
     * rate.
     */
    fun cosine(warmup: Double = 0.0, minFactor: Double = 0.0): Schedule {
        requireFraction("cosine.warmup", warmup)
        requireSetting(minFactor in 0.0..1.0, "cosine.minFactor", minFactor, "in [0, 1]")
        return Schedule.cosine(warmup, minFactor)
    }

    // ---------------------------------------------------------------- evaluator and listeners

    /**
     * Measures columns of every trained cell outside the SAE (`fraction_recovered`, ...): called
     * with the model in evaluation mode, its [Preprocessing] and the cell; the values become
     * columns of `frontier.csv` and of [CellResult.downstream].
     */
    fun downstream(evaluator: DownstreamEvaluator) {
        this.evaluator = evaluator
    }

    /** Runs [listener] with the sweep. */
    fun listener(listener: SweepListener) {
        listeners += listener
    }

    /** Calls [action] after every cell is trained, measured and saved. */
    fun onCell(action: (CellResult) -> Unit) {
        listeners +=
            object : SweepListener {
                override fun onCellEnd(result: CellResult, sweep: SweepResult) = action(result)
            }
    }

    // ---------------------------------------------------------------- end of the block

    @PublishedApi
    internal fun run(data: Dataset, directory: Path): SweepResult {
        val count =
            concepts
                ?: throw MissingSettingException(
                    "sweep.concepts",
                    "set `concepts = N` in the block",
                )
        requirePositive("sweep.concepts", count)
        requirePositive("sweep.epochs", epochs)
        requirePositive("sweep.batchSize", batchSize)
        requireNonNegative("sweep.clip", clip)
        if (cells == 0) {
            throw MissingSettingException(
                "sweep grid",
                "name at least one variant with its levels, e.g. `topK(8, 16, 32)` or `vanilla(1e-4, 1e-3)`",
            )
        }
        val settings =
            SweepSettings.builder(count)
                .dtype(dtype)
                .seed(seed)
                .epochs(epochs)
                .batchSize(batchSize)
                .optimizer(optimizer)
                .schedule(schedule)
                .clipNorm(clip)
                .auxK(auxK)
                .build()
        val runner =
            SweepRunner.builder(directory, grid.build(), settings, data)
                .preprocessing(preprocessing)
                .evaluator(evaluator)
                .resume(resume)
        if (progress) runner.listener(SweepProgressBar())
        listeners.forEach { runner.listener(it) }
        try {
            return runner.build().run()
        } finally {
            (evaluator as? AutoCloseable)?.close() // an in-model evaluator's spliced sessions
        }
    }
}
