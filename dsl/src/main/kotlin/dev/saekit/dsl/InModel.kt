package dev.saekit.dsl

import dev.saekit.model.SparseAutoencoder
import dev.saekit.onnx.splice.InModelReport
import dev.saekit.onnx.splice.RowAutoencoder
import dev.saekit.onnx.splice.SwappedRows
import dev.saekit.onnx.splice.TextEvaluation
import dev.saekit.onnx.text.CorpusSample
import dev.saekit.onnx.text.SpecialTokens
import dev.saekit.onnx.text.TextCorpus
import dev.saekit.onnx.text.TextModel
import dev.saekit.sweep.DownstreamEvaluator
import dev.saekit.sweep.Preprocessing
import dev.saekit.sweep.SweepCell

/**
 * [count] documents spread evenly over [corpus], leaving out those of [exclude] (the harvest an SAE
 * was trained on), for [evaluateInModel]: the SAE is then measured on text it has not seen.
 */
fun documents(
    corpus: TextCorpus = TextCorpus.embedded(),
    count: Int = 200,
    exclude: Harvest? = null,
): List<String> {
    requirePositive("documents.count", count)
    val excluded = exclude?.directory?.documentIds() ?: emptySet()
    return CorpusSample.evenly(corpus, count, excluded).texts()
}

/**
 * This SAE measured inside [model]: its reconstruction of the [tap]'s rows spliced in, against the
 * tap zeroed and mean-ablated, over [documents] (as `saekit evaluate` does, through the same
 * `TextEvaluation`). [preprocessing] is what the rows went through before the SAE saw them in
 * training (`Preprocessing(mean, 1.0)` for rows centred by `mean`). The report has the fraction of
 * the sentence embedding recovered, the cosines, FVU, L0, the l2 ratio, dead and dense latents and
 * the latent-density histogram; a notebook renders it.
 */
fun SparseAutoencoder.evaluateInModel(
    model: TextModel,
    tap: String,
    documents: List<String>,
    preprocessing: Preprocessing = Preprocessing.none(),
    specialTokens: SpecialTokens = SpecialTokens.DROP,
    batchSize: Int = 32,
    threads: Int = 0,
): InModelReport {
    requireSetting(
        documents.isNotEmpty(),
        "evaluateInModel.documents",
        "none",
        "at least one document",
    )
    requirePositive("evaluateInModel.batchSize", batchSize)
    eval()
    val rows = RowAutoencoder.of(this, preprocessing.mean(), preprocessing.scale())
    return TextEvaluation.builder(model, tap, rows)
        .batchSize(batchSize)
        .specialTokens(specialTokens)
        .threads(threads)
        .open()
        .use { it.run(documents) }
}

/**
 * The in-model measure as a sweep's `downstream` evaluator: every cell's SAE spliced into [model]
 * at [tap] over [documents], giving the columns `fraction_recovered`,
 * `fraction_recovered_over_mean`, `cosine_splice` and `l2_ratio`. The spliced model is opened once
 * for the sweep and the runs that do not depend on the SAE (clean, zeroed, mean-ablated) are kept
 * after the first cell, so each later cell runs the model once over the documents; the sweep closes
 * it when it ends.
 */
fun inModelFidelity(
    model: TextModel,
    tap: String,
    documents: List<String>,
    specialTokens: SpecialTokens = SpecialTokens.DROP,
    batchSize: Int = 32,
    threads: Int = 0,
): DownstreamEvaluator {
    requirePositive("inModelFidelity.batchSize", batchSize)
    return InModelFidelity(model, tap, documents.toList(), specialTokens, batchSize, threads)
}

/**
 * [inModelFidelity]'s evaluator: one spliced model and one kept baseline for every cell of a sweep.
 */
internal class InModelFidelity(
    private val model: TextModel,
    private val tap: String,
    private val documents: List<String>,
    private val specialTokens: SpecialTokens,
    private val batchSize: Int,
    private val threads: Int,
) : DownstreamEvaluator, AutoCloseable {
    private var slot: SwappedRows? = null
    private var evaluation: TextEvaluation? = null

    override fun evaluate(
        sae: SparseAutoencoder,
        preprocessing: Preprocessing,
        cell: SweepCell,
    ): Map<String, Double> {
        sae.eval()
        val rows = slot ?: SwappedRows(sae.inputDim()).also { slot = it }
        val e =
            evaluation
                ?: TextEvaluation.builder(model, tap, rows)
                    .batchSize(batchSize)
                    .specialTokens(specialTokens)
                    .threads(threads)
                    .keepBaseline(true)
                    .open()
                    .also { evaluation = it }
        rows.set(RowAutoencoder.of(sae, preprocessing.mean(), preprocessing.scale()))
        val r =
            try {
                e.run(documents)
            } finally {
                rows.set(null)
            }
        return mapOf(
            "fraction_recovered" to r.fractionRecovered(),
            "fraction_recovered_over_mean" to r.fractionRecoveredOverMean(),
            "cosine_splice" to r.spliceCosine(),
            "l2_ratio" to r.l2Ratio(),
        )
    }

    /** Closes the spliced model's sessions (the text model stays open). */
    override fun close() {
        evaluation?.close()
        evaluation = null
    }
}
