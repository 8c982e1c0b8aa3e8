package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.dictionary.DictionaryConfig
import dev.saekit.dictionary.KMeans
import dev.saekit.dictionary.Normalization
import dev.saekit.encoder.EncoderKind
import dev.saekit.model.BatchTopKSae
import dev.saekit.model.BatchTopKSpec
import dev.saekit.model.CodeNormalization
import dev.saekit.model.CoderSpec
import dev.saekit.model.JumpKernel
import dev.saekit.model.JumpReluSpec
import dev.saekit.model.MatryoshkaSae
import dev.saekit.model.ModelSpec
import dev.saekit.model.MpSpec
import dev.saekit.model.MsaeSpec
import dev.saekit.model.OmpSpec
import dev.saekit.model.PrefixMatryoshkaSpec
import dev.saekit.model.SaeConfig
import dev.saekit.model.SparseAutoencoder
import dev.saekit.model.TopKSpec
import dev.saekit.model.VanillaSpec
import dev.saekit.tensor.DType
import kotlin.contracts.ExperimentalContracts
import kotlin.contracts.InvocationKind
import kotlin.contracts.contract
import org.nd4j.linalg.api.ndarray.INDArray

/**
 * A sparse autoencoder, described in a block whose last line is its sparsity:
 * ```
 * val model = sae { input(768); concepts(10_000); batchTopK(50) }
 * ```
 *
 * The block's value is the model's [Sparsity], so a block without one does not compile, and each
 * sparsity function takes only its own variant's options. Everything is checked when the block
 * ends; an error names the field, the value and the accepted range. Returns the engine's model,
 * with the seed's initial weights.
 */
@OptIn(ExperimentalContracts::class)
inline fun sae(block: SaeBuilder.() -> Sparsity): SparseAutoencoder {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    ensureMemoryCaps()
    val builder = SaeBuilder()
    val sparsity = builder.block()
    return builder.build(sparsity)
}

/**
 * The [ModelSpec] a `sae { }` block describes, without building the model (no weights are made).
 */
@OptIn(ExperimentalContracts::class)
inline fun saeSpec(block: SaeBuilder.() -> Sparsity): ModelSpec {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    ensureMemoryCaps()
    val builder = SaeBuilder()
    val sparsity = builder.block()
    return builder.spec(sparsity)
}

/**
 * The receiver of `sae { }`: shape, encoder, dictionary, dtype and seed, and the sparsity
 * functions.
 */
@SaekitDsl
class SaeBuilder @PublishedApi internal constructor() {
    private var input: Int? = null
    private var concepts: Int? = null
    private val sparsityCalls = mutableListOf<Sparsity>()

    /** Element type of the weights (default float32). */
    var dtype: DType = DType.FLOAT32

    /** Seed of every random initialisation (default 0). */
    var seed: Long = 0

    /** The encoder (default [linear]). */
    var encoder: EncoderChoice = linear()

    /** The dictionary (default [standard]: l2-normalised atoms, no multiplier). */
    var dictionary: DictionaryChoice = standard()

    private var coder: CoderSpec = CoderSpec.Autoencoder()

    /** Width of the activations the model reads (of one layer, for a [crosscoder]). Required. */
    fun input(width: Int) {
        input = width
    }

    /**
     * A transcoder (Dunefsky et al. 2024): it reads `input`-wide activations and predicts
     * [output]-wide ones, typically an MLP's output from its input; with [skip], a linear skip path
     * `x W_skip^T`, zero at first (Paulo et al. 2025). It trains on rows `[input | target]`:
     * `sideBySide(input, target)` or `harvest.sideBySide("mlp_in:3", "mlp_out:3")`.
     */
    fun transcoder(output: Int, skip: Boolean = false) {
        requirePositive("transcoder.output", output)
        coder = CoderSpec.Transcoder(output, skip)
    }

    /**
     * A crosscoder (Lindsey et al. 2024): one dictionary over [layers] activations of width `input`
     * each, read side by side (`harvest.sideBySide("residual:2", "residual:3")`), with an encoder
     * and a decoder block per layer; [normalization] weighs each concept by its decoder norms in
     * the L1 penalty and in BatchTopK's selection.
     */
    fun crosscoder(layers: Int, normalization: CodeNormalization = CodeNormalization.CROSSCODER) {
        requirePositive("crosscoder.layers", layers)
        coder = CoderSpec.Crosscoder(layers, normalization)
    }

    /** Number of concepts (dictionary atoms). Required. */
    fun concepts(count: Int) {
        concepts = count
    }

    // ---------------------------------------------------------------- encoders

    /** `z_pre = x W^T + b`. */
    fun linear(): EncoderChoice = EncoderChoice.Architecture(EncoderKind.LINEAR)

    /**
     * An MLP encoder of 1 or 3 residual blocks with layer or batch normalisation (overcomplete's
     * `mlp_ln_3`, ...).
     */
    fun mlp(layers: Int = 1, norm: MlpNorm = MlpNorm.LAYER): EncoderChoice {
        requireSetting(layers == 1 || layers == 3, "mlp.layers", layers, "1 or 3")
        val kind =
            when (norm) {
                MlpNorm.LAYER -> if (layers == 1) EncoderKind.MLP_LN_1 else EncoderKind.MLP_LN_3
                MlpNorm.BATCH -> if (layers == 1) EncoderKind.MLP_BN_1 else EncoderKind.MLP_BN_3
            }
        return EncoderChoice.Architecture(kind)
    }

    /** The encoder is the dictionary, transposed, with an optional bias. */
    fun tied(bias: Boolean = true): EncoderChoice = EncoderChoice.Tied(bias)

    /** A linear encoder of its own that starts as a copy of the dictionary. */
    fun untied(bias: Boolean = true): EncoderChoice = EncoderChoice.Untied(bias)

    /**
     * The SAELens layout (W_enc, b_enc, W_dec, b_dec), for weights that go to or come from SAELens.
     */
    fun saeLens(subtractDecoderBias: Boolean = true): EncoderChoice =
        EncoderChoice.SaeLens(subtractDecoderBias)

    // ---------------------------------------------------------------- dictionaries

    /**
     * Atoms projected by [normalization] at each training fetch; [multiplier] learns a scale
     * `exp(m)`.
     */
    fun standard(
        normalization: Normalization = Normalization.L2,
        multiplier: Boolean = false,
    ): DictionaryChoice = DictionaryChoice.Standard(normalization, multiplier)

    /**
     * A relaxed archetypal dictionary over the rows of [points] (`[n, input]`, `n >= concepts`).
     */
    fun archetypal(
        points: INDArray,
        delta: Double = 1.0,
        multiplier: Boolean = true,
    ): DictionaryChoice = DictionaryChoice.Archetypal(Candidates.Rows(points), delta, multiplier)

    /** A relaxed archetypal dictionary over [candidates], e.g. `kMeans(data, count = 1024)`. */
    fun archetypal(
        candidates: Candidates,
        delta: Double = 1.0,
        multiplier: Boolean = true,
    ): DictionaryChoice = DictionaryChoice.Archetypal(candidates, delta, multiplier)

    /** [count] k-means centroids of a seeded sample of at most [maxRows] rows of [data]. */
    fun kMeans(
        data: Dataset,
        count: Int,
        maxRows: Int = 4096,
        iterations: Int = 20,
        seed: Long? = null,
    ): Candidates = Candidates.KMeans(data, count, maxRows, iterations, seed)

    // ---------------------------------------------------------------- sparsity: the block's last
    // line

    /** ReLU codes; sparsity comes from an `l1` term in the loss. */
    fun vanilla(): Sparsity = chosen("vanilla") { VanillaSpec() }

    /** The [k] largest codes of each sample. */
    fun topK(k: Int): Sparsity = chosen("topK") { TopKSpec(k) }

    /**
     * The largest codes of the whole batch, [k] per sample (or [k] in all with `per = KPer.BATCH`).
     */
    fun batchTopK(
        k: Int,
        per: KPer = KPer.SAMPLE,
        momentum: Double = BatchTopKSpec.DEFAULT_MOMENTUM,
    ): Sparsity = chosen("batchTopK") { BatchTopKSpec(batchK(k, per), momentum) }

    /** A learned threshold per concept; [kernel] and [bandwidth] shape the threshold's gradient. */
    fun jumpRelu(
        kernel: JumpKernel = JumpReluSpec.DEFAULT_KERNEL,
        bandwidth: Double = JumpReluSpec.DEFAULT_BANDWIDTH.toDouble(),
    ): Sparsity =
        chosen("jumpRelu") {
            requirePositive(
                "jumpRelu.bandwidth",
                bandwidth,
            ) // checked as given, before the engine's float
            JumpReluSpec(kernel, bandwidth.toFloat())
        }

    /** [k] matching-pursuit steps; [dropout] drops atoms while training. */
    fun matchingPursuit(k: Int, dropout: Double? = null): Sparsity =
        chosen("matchingPursuit") { MpSpec(k, dropout) }

    /** [k] orthogonal matching-pursuit steps with at most [maxIter] NNLS iterations each. */
    fun orthogonalMatchingPursuit(
        k: Int,
        maxIter: Int = OmpSpec.DEFAULT_MAX_ITER,
        dropout: Double? = null,
    ): Sparsity = chosen("orthogonalMatchingPursuit") { OmpSpec(k, maxIter, dropout) }

    /**
     * The MSAE paper's Matryoshka SAE with nested TopK levels [nesting] and soft cap [softCap] (0:
     * none).
     */
    fun msae(
        nesting: List<Int> = MsaeSpec.DEFAULT_NESTING,
        softCap: Double = MatryoshkaSae.DEFAULT_SOFT_CAP,
    ): Sparsity = chosen("msae") { MsaeSpec(nesting, softCap) }

    /**
     * Matryoshka over dictionary prefixes (default concepts/16 and concepts/4) on BatchTopK codes.
     */
    fun matryoshka(
        k: Int,
        prefixes: List<Int>? = null,
        per: KPer = KPer.SAMPLE,
        momentum: Double = BatchTopKSpec.DEFAULT_MOMENTUM,
    ): Sparsity =
        chosen("matryoshka") {
            val sizes =
                prefixes
                    ?: PrefixMatryoshkaSpec.defaultPrefixes(
                        concepts
                            ?: throw MissingSettingException(
                                "concepts",
                                "call concepts(count) before matryoshka(), or give its prefixes",
                            )
                    )
            PrefixMatryoshkaSpec(sizes, batchK(k, per), momentum)
        }

    private fun batchK(k: Int, per: KPer): BatchTopKSae.BatchK =
        if (per == KPer.SAMPLE) BatchTopKSae.BatchK.PerSample(k)
        else BatchTopKSae.BatchK.PerBatch(k.toLong())

    /** The DSL name of each chosen sparsity, to name its settings in errors (`topK.k`). */
    private val functionOf = java.util.IdentityHashMap<Sparsity, String>()

    private inline fun chosen(function: String, make: () -> Sparsity): Sparsity {
        val s = inDsl(function) { make() }
        sparsityCalls += s
        functionOf[s] = function
        return s
    }

    /**
     * Runs [block], saying an engine setting error in the block's words: `topK.k`, `msae.softCap`.
     */
    private inline fun <T> inDsl(function: String, block: () -> T): T =
        try {
            block()
        } catch (e: dev.saekit.model.InvalidSettingException) {
            val field =
                e.setting()
                    .split('_')
                    .mapIndexed { i, w -> if (i == 0) w else w.replaceFirstChar(Char::uppercase) }
                    .joinToString("")
            throw InvalidSettingException("$function.$field", e.value(), e.requirement())
        }

    // ---------------------------------------------------------------- end of the block

    /** Checks the block and returns its spec. */
    @PublishedApi
    internal fun spec(sparsity: Sparsity): ModelSpec {
        val width = input ?: throw MissingSettingException("input", "call input(width) in sae { }")
        val count =
            concepts ?: throw MissingSettingException("concepts", "call concepts(count) in sae { }")
        requirePositive("input", width)
        requirePositive("concepts", count)
        if (sparsityCalls.size > 1) {
            throw IllegalArgumentException(
                "sparsity is chosen ${sparsityCalls.size} times (${sparsityCalls.joinToString { functionOf[it] ?: it.name() }}); " +
                    "a model has one: keep only the block's last line, ${functionOf[sparsity]}"
            )
        }
        checkCombination(sparsity, count)
        if (coder !is CoderSpec.Autoencoder) {
            return coderSpec(width, count, sparsity)
        }
        val architecture = (encoder as? EncoderChoice.Architecture)?.kind ?: EncoderKind.LINEAR
        val standard = dictionary as? DictionaryChoice.Standard
        val config =
            SaeConfig(
                width,
                count,
                architecture,
                DictionaryConfig(
                    standard?.normalization ?: Normalization.L2,
                    standard?.multiplier ?: false,
                ),
                dtype,
                seed,
            )
        val dictionarySpec: ModelSpec.DictionarySpec =
            when (val d = dictionary) {
                is DictionaryChoice.Standard ->
                    if (encoder is EncoderChoice.SaeLens) ModelSpec.DictionarySpec.Plain()
                    else ModelSpec.DictionarySpec.Standard()
                is DictionaryChoice.Archetypal -> {
                    requirePositive("archetypal.delta", d.delta)
                    ModelSpec.DictionarySpec.Archetypal(d.points.count, d.delta, d.multiplier)
                }
            }
        val encoderSpec: ModelSpec.EncoderSpec =
            when (val e = encoder) {
                is EncoderChoice.Architecture -> ModelSpec.EncoderSpec.Standard()
                is EncoderChoice.Tied -> ModelSpec.EncoderSpec.Tied(e.bias)
                is EncoderChoice.Untied -> ModelSpec.EncoderSpec.Untied(e.bias)
                is EncoderChoice.SaeLens -> ModelSpec.EncoderSpec.SaeLens(e.subtractDecoderBias)
            }
        return inDsl(functionOf[sparsity] ?: sparsity.name()) {
            ModelSpec(config, sparsity, dictionarySpec, encoderSpec)
        }
    }

    /** A transcoder's or crosscoder's spec: the SAELens layout, which every peer uses for them. */
    private fun coderSpec(width: Int, count: Int, sparsity: Sparsity): ModelSpec {
        val what = coder.kind()
        val e = encoder
        requireSetting(
            (e is EncoderChoice.Architecture && e.kind == EncoderKind.LINEAR) ||
                (e is EncoderChoice.SaeLens && !e.subtractDecoderBias),
            "encoder",
            encoder,
            "left unset for a $what (x W_enc + b_enc)",
        )
        val d = dictionary
        requireSetting(
            d is DictionaryChoice.Standard && d.normalization == Normalization.L2 && !d.multiplier,
            "dictionary",
            dictionary,
            "left unset for a $what (its W_dec is a plain matrix)",
        )
        requireSetting(
            sparsity.usesEncoder() && sparsity !is MsaeSpec,
            functionOf[sparsity] ?: sparsity.name(),
            sparsity.name(),
            "a sparsity with a linear encoder for a $what: topK, batchTopK, jumpRelu, vanilla or matryoshka",
        )
        val layers = (coder as? CoderSpec.Crosscoder)?.layers() ?: 1
        val config =
            SaeConfig(
                Math.multiplyExact(width, layers),
                count,
                EncoderKind.LINEAR,
                DictionaryConfig.defaults(),
                dtype,
                seed,
            )
        return inDsl(functionOf[sparsity] ?: sparsity.name()) {
            ModelSpec.coder(config, sparsity, coder)
        }
    }

    private fun checkCombination(sparsity: Sparsity, count: Int) {
        val defaultEncoder = (encoder as? EncoderChoice.Architecture)?.kind == EncoderKind.LINEAR
        requireSetting(
            sparsity.usesEncoder() || defaultEncoder,
            "encoder",
            encoder,
            "left unset for ${functionOf[sparsity]} (a pursuit encodes with the dictionary itself)",
        )
        requireSetting(
            sparsity !is MsaeSpec || defaultEncoder,
            "encoder",
            encoder,
            "left unset for msae (its encoder is linear with a pre-bias and a latent bias)",
        )
        requireSetting(
            sparsity !is MsaeSpec || dictionary is DictionaryChoice.Standard,
            "dictionary",
            dictionary,
            "standard for msae (its decoder is its own)",
        )
        val d = dictionary
        requireSetting(
            encoder !is EncoderChoice.SaeLens ||
                (d is DictionaryChoice.Standard &&
                    d.normalization == Normalization.L2 &&
                    !d.multiplier),
            "dictionary",
            dictionary,
            "left unset with the saeLens layout (its W_dec is a plain matrix)",
        )
        requireSetting(
            d !is DictionaryChoice.Archetypal || d.points.count >= count,
            "archetypal points",
            (d as? DictionaryChoice.Archetypal)?.points?.count,
            ">= concepts=$count (one per atom)",
        )
    }

    /** Checks the block and builds the model; k-means candidates are computed here. */
    @PublishedApi
    internal fun build(sparsity: Sparsity): SparseAutoencoder {
        val spec = spec(sparsity)
        val d = dictionary as? DictionaryChoice.Archetypal ?: return spec.build()
        val points =
            when (val c = d.points) {
                is Candidates.Rows -> c.matrix
                is Candidates.KMeans -> {
                    requireSetting(
                        c.data.cols() == spec.sae().inputDim(),
                        "kMeans data width",
                        c.data.cols(),
                        "input=${spec.sae().inputDim()}",
                    )
                    requireSetting(
                        c.maxRows >= c.count,
                        "kMeans.maxRows",
                        c.maxRows,
                        ">= count=${c.count}",
                    )
                    requireSetting(c.iterations >= 0, "kMeans.iterations", c.iterations, ">= 0")
                    KMeans.fit(c.data, c.count, c.maxRows, c.iterations, c.seed ?: seed)
                }
            }
        return spec.build(points)
    }
}
