package dev.saekit.jupyter

import dev.saekit.data.Dataset
import dev.saekit.model.SparseAutoencoder
import org.jetbrains.letsPlot.geom.geomBoxplot
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.themes.themeMinimal

/**
 * Codes for a batch: a heat map of samples x the most active concepts, and each concept's
 * activation distribution.
 */
class CodesView
internal constructor(
    private val model: SparseAutoencoder,
    private val data: Dataset,
    private val rows: Int,
    private val concepts: Int,
    private val sample: Int,
) {
    fun toHtml(): String {
        model.eval()
        val input = firstRows(data, rows, model)
        val codes =
            model
                .forward(model.inputOf(input))
                .codes()
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .dup()
        val n = codes.rows().toInt()
        val labels: List<String> =
            data
                .labels()
                .map<List<String>> { it.subList(0, n) }
                .orElse((0 until n).map { "row $it" })
        // the concepts with the largest total activation over the shown rows, in that order
        val totals = codes.sum(0).toDoubleVector()
        val chosen = totals.indices.sortedByDescending { totals[it] }.take(concepts)
        val max =
            chosen.maxOf { c -> (0 until n).maxOf { r -> codes.getDouble(r.toLong(), c.toLong()) } }
        val header =
            "<tr><th></th>" +
                chosen.joinToString("") {
                    "<th style=\"padding: 0 2px; font-weight: normal; writing-mode: vertical-rl; transform: rotate(180deg);\">#$it</th>"
                } +
                "</tr>"
        val body =
            (0 until n).joinToString("") { r ->
                "<tr><td style=\"padding: 0 6px 0 0; text-align: right; white-space: nowrap;\">${Html.escape(labels[r])}</td>" +
                    chosen.joinToString("") { c ->
                        val v = codes.getDouble(r.toLong(), c.toLong())
                        val colour =
                            if (v > 0) String.format("#%06x", Raster.sequential(v, max))
                            else "#f4f4f4"
                        "<td title=\"${Html.num(v)}\" style=\"width: 16px; height: 14px; background: $colour;\"></td>"
                    } +
                    "</tr>"
            }
        val heat =
            Html.section(
                "codes of $n rows x $concepts most active concepts (dark: weak, yellow: strongest ${Html.num(max)}; grey: zero)",
                "<table style=\"border-collapse: separate; border-spacing: 1px; ${Html.FONT}\">$header$body</table>",
            )
        return Html.section("Codes", Html.row(heat, distributions(chosen)))
    }

    /** Non-zero activations of [chosen] over the first [sample] rows. */
    private fun distributions(chosen: List<Int>): String {
        val rowsIn = firstRows(data, sample, model)
        val codes =
            model
                .forward(model.inputOf(rowsIn))
                .codes()
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .dup()
        val names = mutableListOf<String>()
        val values = mutableListOf<Double>()
        for (c in chosen) {
            for (v in codes.getColumn(c.toLong()).toDoubleVector()) {
                if (v != 0.0) {
                    names.add("#$c")
                    values.add(v)
                }
            }
        }
        if (values.isEmpty()) {
            return Html.section(
                "Activation distributions",
                "none of these concepts fires on the first ${rowsIn.rows()} rows",
            )
        }
        val plot =
            letsPlot(mapOf("concept" to names, "activation" to values)) {
                x = "concept"
                y = "activation"
            } +
                geomBoxplot(fill = "#5ec962", alpha = 0.6) +
                ggtitle("non-zero activations over ${rowsIn.rows()} rows") +
                themeMinimal()
        return Plots.svg(plot, 520, 280)
    }

    override fun toString() = "CodesView[$rows rows x $concepts concepts of ${data.description()}]"
}
