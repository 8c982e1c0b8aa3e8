package dev.saekit.jupyter

import dev.saekit.data.Dataset
import dev.saekit.metrics.LayerShares
import dev.saekit.model.SparseAutoencoder
import org.jetbrains.letsPlot.geom.geomHistogram
import org.jetbrains.letsPlot.geom.geomVLine
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.label.xlab
import org.jetbrains.letsPlot.label.ylab
import org.jetbrains.letsPlot.letsPlot

/**
 * How a crosscoder's concepts divide among its layers ([LayerShares]): how many are specific to
 * each layer (more than `1 - margin` of the decoder norm in it), how many are shared, how many
 * never fired; and, for two layers, the histogram of each live concept's share in the second layer,
 * the crosscoder paper's relative decoder norm.
 */
class LayerSharesView
internal constructor(val shares: LayerShares, val layerNames: List<String>, val margin: Double) {
    init {
        require(layerNames.size == shares.layers()) {
            "layerNames has ${layerNames.size} names but the crosscoder has ${shares.layers()} layers"
        }
        require(margin > 0 && margin < 0.5) { "margin must be in (0, 0.5), was $margin" }
    }

    /** Live concepts specific to each layer, in layer order. */
    val specific: List<Int>
        get() = layerNames.indices.map { shares.specificTo(it, margin) }

    /** Live concepts specific to no layer. */
    val shared: Int
        get() = shares.shared(margin)

    /** Concepts that never fired. */
    val dead: Int
        get() = shares.dead()

    fun toHtml(): String {
        val n = shares.concepts()
        fun pct(count: Int) = "%,d (%.1f%%)".format(count, 100.0 * count / n)
        val rows =
            layerNames.mapIndexed { l, name ->
                listOf("specific to $name (share > ${Html.num(1 - margin)})", pct(specific[l]))
            } + listOf(listOf("shared", pct(shared)), listOf("never fired", pct(dead)))
        val table = Html.table(listOf("concepts", "count"), rows)
        if (shares.layers() != 2) return Html.section("Concepts by layer", table)
        val second = (0 until n).filter { shares.alive(it) }.map { shares.shares()[it][1] }
        val plot =
            letsPlot(mapOf("share" to second)) +
                geomHistogram(bins = 40, fill = "#4c78a8") { x = "share" } +
                geomVLine(xintercept = margin, linetype = "dashed") +
                geomVLine(xintercept = 1 - margin, linetype = "dashed") +
                xlab("share of the decoder norm in ${layerNames[1]} (0: only ${layerNames[0]})") +
                ylab("live concepts") +
                ggtitle("Relative decoder norm of ${"%,d".format(second.size)} live concepts")
        return Html.section("Concepts by layer", Html.row(table, Plots.svg(plot, 560, 300)))
    }

    override fun toString(): String =
        layerNames.indices.joinToString(", ") { "${specific[it]} specific to ${layerNames[it]}" } +
            ", $shared shared, $dead never fired, of ${shares.concepts()}"
}

/**
 * How this crosscoder's concepts divide among its layers, over [data] (its layers side by side):
 * [layerNames] name the layers, and a concept is specific to a layer when more than `1 - margin` of
 * its decoder norm lies there.
 */
fun SparseAutoencoder.layerShares(
    data: Dataset,
    layerNames: List<String>,
    margin: Double = 0.1,
    batchSize: Int = 4096,
): LayerSharesView = LayerSharesView(LayerShares.of(this, data, batchSize), layerNames, margin)
