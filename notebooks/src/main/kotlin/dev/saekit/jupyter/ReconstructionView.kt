package dev.saekit.jupyter

import dev.saekit.data.Dataset
import dev.saekit.model.SparseAutoencoder
import org.jetbrains.letsPlot.geom.geomBar
import org.jetbrains.letsPlot.label.ggtitle
import org.jetbrains.letsPlot.letsPlot
import org.jetbrains.letsPlot.themes.themeMinimal
import org.nd4j.linalg.api.buffer.DataType

/**
 * Reconstructions: for image rows the originals beside their reconstructions and residuals; for
 * vectors, each row's squared error and cosine similarity.
 */
class ReconstructionView
internal constructor(
    private val model: SparseAutoencoder,
    private val data: Dataset,
    private val rows: Int,
    private val imageShape: ImageShape?,
) {
    fun toHtml(): String {
        model.eval()
        val input = firstRows(data, rows, model)
        // the output is compared with its target: the input itself, or a transcoder's target
        // columns
        val x = model.targetOf(input).castTo(DataType.DOUBLE).dup()
        val xHat =
            model.forward(model.inputOf(input)).reconstruction().castTo(DataType.DOUBLE).dup()
        val n = x.rows().toInt()
        val labels: List<String> =
            data
                .labels()
                .map<List<String>> { it.subList(0, n) }
                .orElse((0 until n).map { "row $it" })
        val errors =
            DoubleArray(n) { r ->
                x.getRow(r.toLong()).squaredDistance(xHat.getRow(r.toLong())) / x.columns()
            }
        val cosines =
            DoubleArray(n) { r ->
                val a = x.getRow(r.toLong())
                val b = xHat.getRow(r.toLong())
                val norms = a.norm2Number().toDouble() * b.norm2Number().toDouble()
                if (norms == 0.0) 0.0 else a.mul(b).sumNumber().toDouble() / norms
            }
        val body =
            if (imageShape != null) images(x, xHat, labels, errors, imageShape)
            else bars(labels, errors, cosines)
        return Html.section("Reconstructions of $n rows", body)
    }

    private fun images(
        x: org.nd4j.linalg.api.ndarray.INDArray,
        xHat: org.nd4j.linalg.api.ndarray.INDArray,
        labels: List<String>,
        errors: DoubleArray,
        shape: ImageShape,
    ): String {
        val scale = maxOf(1, 84 / maxOf(shape.height, shape.width))
        val rows =
            labels.indices.map { r ->
                val original = x.getRow(r.toLong()).toDoubleVector()
                val reconstruction = xHat.getRow(r.toLong()).toDoubleVector()
                val residual = DoubleArray(original.size) { original[it] - reconstruction[it] }
                listOf(
                    Html.escape(labels[r]),
                    Html.png(Raster.greyTile(original, shape), "original", scale),
                    Html.png(Raster.greyTile(reconstruction, shape), "reconstruction", scale),
                    Html.png(Raster.greyTile(residual, shape, signed = true), "residual", scale),
                    Html.num(errors[r]),
                )
            }
        return Html.table(
            listOf(
                "row",
                "original",
                "reconstruction",
                "residual (blue < 0 < red)",
                "mean squared error",
            ),
            rows,
        )
    }

    private fun bars(labels: List<String>, errors: DoubleArray, cosines: DoubleArray): String {
        val names = labels.mapIndexed { i, l -> "${i + 1}. $l" }
        val error =
            letsPlot(mapOf("row" to names, "value" to errors.toList())) {
                x = "row"
                y = "value"
            } +
                geomBar(stat = org.jetbrains.letsPlot.Stat.identity, fill = "#3b528b") +
                ggtitle("mean squared error per row") +
                themeMinimal()
        val cosine =
            letsPlot(mapOf("row" to names, "value" to cosines.toList())) {
                x = "row"
                y = "value"
            } +
                geomBar(stat = org.jetbrains.letsPlot.Stat.identity, fill = "#21918c") +
                ggtitle("cosine(x, reconstruction) per row") +
                themeMinimal()
        return Html.row(Plots.svg(error, 420, 260), Plots.svg(cosine, 420, 260))
    }

    override fun toString() = "ReconstructionView[$rows rows of ${data.description()}]"
}
