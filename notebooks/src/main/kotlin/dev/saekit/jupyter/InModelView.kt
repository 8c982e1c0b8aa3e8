package dev.saekit.jupyter

import dev.saekit.onnx.splice.EmbeddingFidelity
import dev.saekit.onnx.splice.InModelReport
import java.util.Locale
import org.jetbrains.letsPlot.geom.geomBar
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.xlab
import org.jetbrains.letsPlot.label.ylab
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.themes.themeMinimal

/**
 * An SAE measured inside its model ([InModelReport]): what the model's output keeps with the
 * reconstruction spliced in, beside the tap zeroed and mean-ablated; the reconstruction's own
 * metrics on the same tokens; and the latents' firing frequencies as SAEBench draws them.
 */
internal object InModelView {
    fun html(r: InModelReport): String {
        val downstream =
            when (val d = r.downstream()) {
                is EmbeddingFidelity ->
                    Html.table(
                        listOf("run", "cosine of the sentence embedding to the clean one"),
                        listOf(
                            listOf("SAE spliced in", Html.num(d.spliceCosine())),
                            listOf("tap mean-ablated", Html.num(d.meanCosine())),
                            listOf("tap zeroed", Html.num(d.zeroCosine())),
                        ),
                    )
                else -> "<pre>${Html.escape(r.toJson().path("downstream").toPrettyString())}</pre>"
            }
        val metrics =
            Html.table(
                listOf("measure", "value"),
                listOf(
                    listOf(
                        "fraction recovered (vs zero ablation)",
                        Html.num(r.fractionRecovered()),
                    ),
                    listOf(
                        "fraction recovered (vs mean ablation)",
                        Html.num(r.fractionRecoveredOverMean()),
                    ),
                    listOf("FVU", Html.num(r.fvu())),
                    listOf("explained variance", Html.num(r.explainedVariance())),
                    listOf("L0", Html.num(r.l0())),
                    listOf("l2 ratio ‖x̂‖/‖x‖", Html.num(r.l2Ratio())),
                    listOf("dead latents", Html.num(r.deadFraction())),
                    listOf("dense latents (> 10% of tokens)", Html.num(r.denseFraction())),
                ),
            )
        val title =
            String.format(
                Locale.ROOT,
                "in the model: %s at %s, %,d tokens of %,d documents",
                r.model(),
                r.tap(),
                r.tokens(),
                r.sequences(),
            )
        return Html.section(title, Html.row(downstream, metrics, Plots.svg(density(r), 420, 240)))
    }

    private fun density(r: InModelReport) =
        r.density().let { h ->
            val edges = h.edges()
            val centres = (0 until h.counts().size).map { (edges[it] + edges[it + 1]) / 2 }
            letsPlot(
                mapOf("log10 frequency" to centres, "latents" to h.counts().map { it.toDouble() })
            ) {
                x = "log10 frequency"
                y = "latents"
            } +
                geomBar(
                    stat = org.jetbrains.letsPlot.Stat.identity,
                    fill = "#21918c",
                    width = 0.45,
                ) +
                xlab("log10 firing frequency") +
                ylab("live latents") +
                ggtitle("latent density (${h.dead()} dead)") +
                themeMinimal()
        }
}
