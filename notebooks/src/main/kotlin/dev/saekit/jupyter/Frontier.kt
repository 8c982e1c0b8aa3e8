package dev.saekit.jupyter

import dev.saekit.sweep.CellResult
import dev.saekit.sweep.FrontierCsv
import dev.saekit.sweep.LevelKind
import dev.saekit.sweep.SweepResult
import java.nio.file.Path
import kotlin.math.ceil
import kotlin.math.floor
import kotlin.math.log2
import kotlin.math.pow
import org.jetbrains.letsPlot.geom.geomLine
import org.jetbrains.letsPlot.geom.geomPoint
import org.jetbrains.letsPlot.geom.geomText
import org.jetbrains.letsPlot.ggsize
import org.jetbrains.letsPlot.intern.Plot
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.labs
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.scale.scaleColorManual
import org.jetbrains.letsPlot.scale.scaleXContinuous
import org.jetbrains.letsPlot.scale.scaleXLog10
import org.jetbrains.letsPlot.scale.scaleYContinuous
import org.jetbrains.letsPlot.themes.themeMinimal

/**
 * The sparsity–fidelity frontier of a sweep: each cell at the L0 it measured (x) against [metric]
 * (a column of `frontier.csv`: `fvu` by default, `explained_variance`, or a downstream column such
 * as `fraction_recovered`), one line per variant through its cells in order of L0. Vanilla and
 * JumpReLU cells sit where their L1 coefficient took them, each labelled with it (`l1=3e-4`), so
 * every variant is read along its whole frontier; a k cell sits at its k and needs no label. L0 is
 * on a log scale with powers of two marked when every cell has codes.
 */
fun frontierPlot(result: SweepResult, metric: String = "fvu", title: String? = null): Plot =
    FrontierPlots.plot(result.rows(), metric, title)

/** The frontier of the cells of a `frontier.csv` file (see [frontierPlot]). */
fun frontierPlot(csv: Path, metric: String = "fvu", title: String? = null): Plot =
    FrontierPlots.plot(FrontierCsv.read(csv), metric, title)

/** Frontier figures for notebooks and for `saekit sweep`, which writes them as SVG. */
object FrontierPlots {
    /**
     * Hex colours, one per variant in the order of the grid (Lets-Plot 4.1 refuses some colour
     * names).
     */
    private val PALETTE =
        listOf(
            "#1f77b4",
            "#ff7f0e",
            "#2ca02c",
            "#d62728",
            "#9467bd",
            "#8c564b",
            "#e377c2",
            "#7f7f7f",
            "#bcbd22",
            "#17becf",
        )

    /** What the axis of a column says. */
    fun axisTitle(metric: String): String =
        when (metric) {
            "fvu" -> "FVU (fraction of variance unexplained)"
            "explained_variance" -> "explained variance"
            "fraction_recovered" -> "fraction of the model output recovered"
            "dead_fraction" -> "dead fraction"
            else -> metric.replace('_', ' ')
        }

    /**
     * The frontier of [rows] against [metric]; cells without a finite value of it are left out. An
     * error when none has one.
     */
    @JvmStatic
    @JvmOverloads
    fun plot(rows: List<CellResult>, metric: String = "fvu", title: String? = null): Plot {
        val shown = rows.filter { it.value(metric).isFinite() && it.l0().isFinite() }
        require(shown.isNotEmpty()) {
            "no cell has a value of '$metric'; the frontier's columns: " +
                (FrontierCsv.COLUMNS.drop(5) + FrontierCsv.downstreamColumns(rows)).joinToString()
        }
        val variants = shown.map { it.cell().variant().name() }.distinct()
        val data =
            mapOf(
                "variant" to shown.map { it.cell().variant().name() },
                "L0" to shown.map { it.l0() },
                metric to shown.map { it.value(metric) },
                // the k of a k cell is its place on the x axis; a coefficient is said on its point
                "level" to
                    shown.map {
                        if (it.cell().level().kind() == LevelKind.L1) it.cell().level().label()
                        else ""
                    },
            )
        val logX = shown.all { it.l0() > 0 }
        val values = shown.map { it.value(metric) }
        val lift =
            0.04 *
                ((values.max() - values.min()).takeIf { it > 0 }
                    ?: 1.0) // labels above their points
        val concepts = shown.map { it.concepts() }.distinct()
        val heading =
            title
                ?: ("sparsity–fidelity frontier: " +
                    axisTitle(metric).substringBefore(" (") +
                    " against L0" +
                    (if (concepts.size == 1) ", ${concepts[0]} concepts" else ""))
        return letsPlot(data) {
            x = "L0"
            y = metric
            color = "variant"
        } +
            geomLine(size = 0.9) +
            geomPoint(size = 3.5) +
            geomText(size = 5, nudgeY = lift, showLegend = false) { label = "level" } +
            scaleColorManual(
                values = variants.indices.map { PALETTE[it % PALETTE.size] },
                limits = variants,
            ) +
            // room beyond the outer points for their labels
            xScale(shown.map { it.l0() }, logX) +
            scaleYContinuous(expand = listOf(0.08, 0)) +
            labs(
                x = "L0: codes per row, measured" + if (logX) " (log scale)" else "",
                y = axisTitle(metric),
            ) +
            ggtitle(heading) +
            themeMinimal() +
            ggsize(WIDTH, HEIGHT)
    }

    /** L0 on a log scale (or linear, when a cell has none), a little wider than its points. */
    private fun xScale(l0: List<Double>, log: Boolean) =
        if (log) {
            val low = l0.min() / 1.5
            val high = l0.max() * 1.5
            val powers =
                (floor(log2(low)).toInt()..ceil(log2(high)).toInt())
                    .map { 2.0.pow(it) }
                    .filter { it in low..high }
            scaleXLog10(limits = low to high, breaks = powers, format = "g")
        } else {
            val pad = 0.08 * ((l0.max() - l0.min()).takeIf { it > 0 } ?: 1.0)
            scaleXContinuous(limits = l0.min() - pad to l0.max() + pad)
        }

    /** The frontier of [rows] against [metric] as a standalone SVG document. */
    @JvmStatic
    @JvmOverloads
    fun svg(rows: List<CellResult>, metric: String = "fvu", title: String? = null): String =
        Plots.svg(plot(rows, metric, title), WIDTH, HEIGHT)

    const val WIDTH = 720
    const val HEIGHT = 440
}
