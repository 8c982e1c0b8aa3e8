package dev.saekit.jupyter

import dev.saekit.dsl.TrainingRun
import dev.saekit.metrics.EvalMetrics
import dev.saekit.model.SparseAutoencoder
import org.jetbrains.kotlinx.jupyter.api.MIME
import org.jetbrains.kotlinx.jupyter.api.MimeTypedResult
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterIntegration

/**
 * saekit in a Kotlin notebook: loading the jar adds the DSL's and the views' imports and renders
 * models, training runs, metrics, codes, reconstructions, dictionaries, concept tables, concept
 * dashboards and their pages, tables and Lets-Plot figures inline, each as HTML (SVG and PNG
 * inside) with a plain-text fallback, without any network access. Registered through
 * `META-INF/kotlin-jupyter-libraries/libraries.json`.
 */
internal class SaekitIntegration : JupyterIntegration() {
    override fun Builder.onLoaded() {
        import(*Renderings.IMPORTS.toTypedArray())
        render<SparseAutoencoder> { Renderings.output(it) }
        render<TrainingRun> { Renderings.output(it) }
        render<EvalMetrics> { Renderings.output(it) }
        render<CodesView> { Renderings.output(it) }
        render<ReconstructionView> { Renderings.output(it) }
        render<DictionaryView> { Renderings.output(it) }
        render<ConceptTable> { Renderings.output(it) }
        render<TokenContextsView> { Renderings.output(it) }
        render<dev.saekit.onnx.splice.InModelReport> { Renderings.output(it) }
        render<dev.saekit.sweep.SweepResult> { Renderings.output(it) }
        render<TableView> { Renderings.output(it) }
        render<LayerSharesView> { Renderings.output(it) }
        render<dev.saekit.dsl.ConceptPage> { Renderings.output(it) }
        render<dev.saekit.dashboard.Dashboard> { Renderings.output(it) }
        render<org.jetbrains.letsPlot.intern.Plot> { Renderings.output(it) }
    }
}

/** What each saekit type looks like in a notebook; the integration and the tests share it. */
object Renderings {
    val IMPORTS =
        listOf(
            "dev.saekit.dsl.*",
            "dev.saekit.jupyter.*",
            "dev.saekit.tensor.DType",
            "dev.saekit.onnx.text.TextModel",
            "dev.saekit.onnx.text.SpecialTokens",
            "dev.saekit.sweep.*",
            "dev.saekit.dashboard.Dashboard",
            "dev.saekit.dictionary.Normalization",
            "dev.saekit.model.JumpKernel",
            "dev.saekit.train.listeners.MetricHistory.StepMetric",
            "org.jetbrains.letsPlot.*",
            "org.jetbrains.letsPlot.geom.*",
            "org.jetbrains.letsPlot.label.*",
            "org.jetbrains.letsPlot.themes.*",
        )

    /** The HTML of a renderable saekit value, or null for other values. */
    fun html(value: Any?): String? =
        when (value) {
            is SparseAutoencoder -> ModelCard.html(value)
            is TrainingRun -> RunView.html(value)
            is EvalMetrics -> RunView.metrics(value)
            is CodesView -> value.toHtml()
            is ReconstructionView -> value.toHtml()
            is DictionaryView -> value.toHtml()
            is ConceptTable -> value.toHtml()
            is TokenContextsView -> value.toHtml()
            is dev.saekit.onnx.splice.InModelReport -> InModelView.html(value)
            is dev.saekit.sweep.SweepResult -> SweepView.html(value)
            is TableView -> value.toHtml()
            is LayerSharesView -> value.toHtml()
            is dev.saekit.dsl.ConceptPage -> value.html()
            is dev.saekit.dashboard.Dashboard -> DashboardView.html(value)
            is org.jetbrains.letsPlot.intern.Plot -> Plots.svg(value, 640, 360)
            else -> null
        }

    /** The plain text of a value, where a notebook cannot show HTML. */
    fun text(value: Any): String =
        when (value) {
            is dev.saekit.dashboard.Dashboard -> DashboardView.text(value)
            else -> value.toString()
        }

    fun output(value: Any): MimeTypedResult =
        MIME("text/html" to (html(value) ?: Html.escape(text(value))), "text/plain" to text(value))
}
