package dev.saekit.dsl

import dev.saekit.model.SparseAutoencoder
import dev.saekit.onnx.splice.InModelReport
import dev.saekit.onnx.splice.RowAutoencoder
import dev.saekit.onnx.splice.TextEvaluation
import dev.saekit.onnx.text.CorpusSample
import dev.saekit.onnx.text.SpecialTokens
import dev.saekit.onnx.text.TextCorpus
import dev.saekit.onnx.text.TextModel
import dev.saekit.sweep.DownstreamEvaluator
import dev.saekit.sweep.Preprocessing

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
 * `fraction_recovered_over_mean`, `cosine_splice` and `l2_ratio`.
 */
fun inModelFidelity(
    model: TextModel,
    tap: String,
    documents: List<String>,
    specialTokens: SpecialTokens = SpecialTokens.DROP,
    batchSize: Int = 32,
    threads: Int = 0,
): DownstreamEvaluator = DownstreamEvaluator { sae, pre, _ ->
    val r = sae.evaluateInModel(model, tap, documents, pre, specialTokens, batchSize, threads)
    mapOf(
        "fraction_recovered" to r.fractionRecovered(),
        "fraction_recovered_over_mean" to r.fractionRecoveredOverMean(),
        "cosine_splice" to r.spliceCosine(),
        "l2_ratio" to r.l2Ratio(),
    )
}
