package dev.saekit.jupyter

import org.jetbrains.letsPlot.awt.plot.PlotSvgExport
import org.jetbrains.letsPlot.commons.geometry.DoubleVector
import org.jetbrains.letsPlot.intern.Plot
import org.jetbrains.letsPlot.intern.toSpec

/** Lets-Plot figures as inline SVG (Lets-Plot's own notebook output loads its script from the network). */
internal object Plots {

    fun svg(plot: Plot, width: Int = 520, height: Int = 260): String {
        val svg = PlotSvgExport.buildSvgImageFromRawSpecs(plot.toSpec(), DoubleVector(width.toDouble(), height.toDouble()), false)
        return stableIds(svg)
    }

    /** Lets-Plot names clip paths with random ids; number them in order so the same plot gives the same text. */
    fun stableIds(svg: String): String {
        val ids = LinkedHashMap<String, String>()
        Regex("""id="([^"]+)"""").findAll(svg).forEach { m -> ids.getOrPut(m.groupValues[1]) { "saekit-${ids.size}" } }
        var out = svg
        for ((old, new) in ids) {
            out = out.replace(old, new) // ids are random tokens, also used in the style sheet (#id .plot-title)
        }
        return out
    }
}
