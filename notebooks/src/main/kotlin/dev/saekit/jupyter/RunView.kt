package dev.saekit.jupyter

import dev.saekit.dsl.TrainingRun
import dev.saekit.metrics.EvalMetrics
import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.themes.themeMinimal

/** A training run: loss, R², L0 and dead-fraction curves, and the final metrics. */
internal object RunView {
    fun html(run: TrainingRun): String {
        val steps = run.history.steps()
        val epochs = run.history.epochs()
        val stepX = steps.map { it.step().toDouble() }
        val curves =
            listOf(
                curve("loss per step", stepX, steps.map { it.loss() }, "step"),
                curve("R² per step", stepX, steps.map { it.r2() }, "step"),
                curve("L0 per step", stepX, steps.map { it.l0() }, "step"),
                curve(
                    "dead fraction per epoch",
                    epochs.map { it.epoch() + 1.0 },
                    epochs.map { it.deadFraction() },
                    "epoch",
                ),
            )
        val status = if (run.completed) "completed" else "stopped: ${run.result.message()}"
        val summary = "${run.steps} steps in ${Html.num(run.seconds)} s, $status"
        return Html.section(
            "Training run — ${Html.escape(summary)}",
            Html.row(*curves.toTypedArray()) + metrics(run.metrics),
        )
    }

    private fun curve(title: String, x: List<Double>, y: List<Double>, xName: String): String {
        val plot =
            letsPlot(mapOf(xName to x, "value" to y)) {
                this.x = xName
                this.y = "value"
            } +
                geomLine(color = "#3b528b", size = 0.8) +
                ggtitle(title) +
                themeMinimal() +
                ggsize(300, 200)
        return Plots.svg(plot, 300, 200)
    }

    fun metrics(m: EvalMetrics): String =
        Html.section(
            "Metrics over ${m.rows()} rows (evaluation mode)",
            Html.table(
                listOf("metric", "value"),
                listOf(
                        "R²" to m.r2(),
                        "explained variance" to m.explainedVariance(),
                        "FVU" to m.fvu(),
                        "MSE" to m.mse(),
                        "L0 (active concepts per row)" to m.l0(),
                        "dead fraction" to m.deadFraction(),
                        "cosine similarity" to m.cosineSimilarity(),
                    )
                    .map { (k, v) -> listOf(Html.escape(k), Html.num(v)) },
            ),
        )
}
