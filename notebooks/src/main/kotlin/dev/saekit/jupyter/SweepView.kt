package dev.saekit.jupyter

import dev.saekit.sweep.SweepResult

/**
 * A sweep's cells as a table (variant, level, L0, FVU, explained variance, dead fraction, the
 * downstream columns) beside its frontier: each variant's cells at the L0 they reached against FVU.
 */
internal object SweepView {
    fun html(result: SweepResult): String {
        val extra = result.downstreamColumns()
        val header =
            listOf(
                "variant",
                "level",
                "L0",
                "FVU",
                "explained variance",
                "dead fraction",
                "train s",
            ) + extra
        val rows =
            result.rows().map { r ->
                listOf(
                    Html.escape(r.cell().variant().name()),
                    Html.escape(r.cell().level().label()),
                    Html.num(r.l0()),
                    Html.num(r.fvu()),
                    Html.num(r.explainedVariance()),
                    Html.num(r.deadFraction()),
                    Html.num(r.trainSeconds()),
                ) + extra.map { Html.num(r.value(it)) }
            }
        val plots = mutableListOf(Plots.svg(frontierPlot(result), 520, 320))
        if (extra.isNotEmpty()) {
            plots += Plots.svg(frontierPlot(result, extra.first()), 520, 320)
        }
        return Html.section(
            "sweep of ${result.rows().size} cells in ${result.directory()}",
            Html.row(Html.table(header, rows), *plots.toTypedArray()),
        )
    }
}
