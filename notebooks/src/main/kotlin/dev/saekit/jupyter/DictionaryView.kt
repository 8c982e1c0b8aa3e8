package dev.saekit.jupyter

import dev.saekit.model.SparseAutoencoder
import org.nd4j.linalg.api.buffer.DataType

/**
 * The dictionary: a heat map of atoms x dimensions, the atoms' cosine similarities (with the most
 * similar pairs over the whole dictionary), and atoms as image tiles for image data.
 */
class DictionaryView
internal constructor(
    private val model: SparseAutoencoder,
    private val atoms: Int,
    private val imageShape: ImageShape?,
) {
    fun toHtml(): String {
        model.eval()
        val d = model.getDictionary().castTo(DataType.DOUBLE).dup()
        val shown = Array(atoms) { d.getRow(it.toLong()).toDoubleVector() }
        val max = shown.maxOf { row -> row.maxOf { Math.abs(it) } }
        val scale = maxOf(1, minOf(6, 480 / maxOf(d.columns().toInt(), atoms)))
        val heat =
            Html.png(
                Raster.heatmap(shown) { Raster.diverging(it, max) },
                "atoms x dimensions",
                scale,
            )

        val unit = d.divColumnVector(d.norm2(1).addi(1e-12).reshape(d.rows().toLong(), 1L))
        val cosine = unit.mmul(unit.transpose())
        val cos =
            Array(atoms) { r ->
                DoubleArray(atoms) { c -> cosine.getDouble(r.toLong(), c.toLong()) }
            }
        val cosImage =
            Html.png(
                Raster.heatmap(cos) { Raster.diverging(it, 1.0) },
                "cosine similarity of atoms",
                maxOf(1, 320 / atoms),
            )
        val parts =
            mutableListOf(
                Html.section(
                    "${atoms} atoms x ${d.columns()} dimensions (blue < 0 < red, |max| ${Html.num(max)})",
                    heat,
                ),
                Html.section("cosine similarity of atoms 0..${atoms - 1}", cosImage),
                Html.section("most similar atom pairs of all ${d.rows()}", similarPairs(cosine)),
            )
        if (imageShape != null) {
            val tiles =
                (0 until atoms).joinToString(" ") { a ->
                    "<span title=\"atom $a\">" +
                        Html.png(
                            Raster.greyTile(shown[a], imageShape, signed = true),
                            "atom $a",
                            2,
                        ) +
                        "</span>"
                }
            parts +=
                Html.section(
                    "atoms as images",
                    "<div style=\"max-width: 900px; line-height: 0;\">$tiles</div>",
                )
        }
        return Html.section(
            "Dictionary of ${model.spec().variant().name()} (${d.rows()} atoms)",
            Html.row(*parts.toTypedArray()),
        )
    }

    private fun similarPairs(cosine: org.nd4j.linalg.api.ndarray.INDArray, count: Int = 8): String {
        val n = cosine.rows().toInt()
        val pairs = mutableListOf<Triple<Int, Int, Double>>()
        for (i in 0 until n) {
            for (j in i + 1 until n) {
                pairs += Triple(i, j, cosine.getDouble(i.toLong(), j.toLong()))
            }
        }
        return Html.table(
            listOf("atom", "atom", "cosine"),
            pairs
                .sortedByDescending { it.third }
                .take(count)
                .map { listOf("#${it.first}", "#${it.second}", Html.num(it.third)) },
        )
    }

    override fun toString() = "DictionaryView[$atoms atoms of ${model.spec().variant().name()}]"
}
