package dev.saekit.jupyter

import org.jetbrains.letsPlot.awt.plot.PlotSvgExport
import org.jetbrains.letsPlot.commons.geometry.DoubleVector
import org.jetbrains.letsPlot.intern.Plot
import org.jetbrains.letsPlot.intern.toSpec

/**
 * Lets-Plot figures as inline SVG (Lets-Plot's own notebook output loads its script from the
 * network).
 */
internal object Plots {

    fun svg(plot: Plot, width: Int = 520, height: Int = 260): String {
        val svg =
            PlotSvgExport.buildSvgImageFromRawSpecs(
                plot.toSpec(),
                DoubleVector(width.toDouble(), height.toDouble()),
                false,
            )
        return stableIds(svg)
    }

    /**
     * Lets-Plot names clip paths and styles with random ids. They become ids derived from the plot
     * itself: the same plot gives the same text (expected outputs can be compared), and two plots
     * on one page never share an id (a shared clip-path id would clip the second plot by the
     * first's).
     */
    fun stableIds(svg: String): String {
        val ids =
            Regex("""id="([^"]+)"""").findAll(svg).map { it.groupValues[1] }.distinct().toList()
        if (ids.isEmpty()) return svg
        val token =
            Regex(
                "(?<![\\w-])(" +
                    ids.sortedByDescending { it.length }.joinToString("|") { Regex.escape(it) } +
                    ")(?![\\w-])"
            )
        val content = token.replace(svg, "")
        val prefix = "sk" + Integer.toHexString(content.hashCode())
        val names = ids.withIndex().associate { (i, id) -> id to "$prefix-$i" }
        return token.replace(svg) { names.getValue(it.value) }
    }
}
