package dev.saekit.jupyter

import dev.saekit.data.Dataset
import dev.saekit.model.SparseAutoencoder
import java.util.PriorityQueue
import org.nd4j.linalg.api.buffer.DataType

/** Each concept's top-activating rows, shown by their labels (escaped) or as image thumbnails. */
class ConceptTable
internal constructor(
    private val model: SparseAutoencoder,
    private val data: Dataset,
    private val concepts: Int,
    private val top: Int,
    private val imageShape: ImageShape?,
    private val maxRows: Long,
) {
    private class Hit(val row: Long, val value: Double)

    fun toHtml(): String {
        model.eval()
        val c = model.nbConcepts()
        val fired = LongArray(c)
        val best = Array(c) { PriorityQueue<Hit>(compareBy { it.value }) }
        val kept = HashMap<Long, DoubleArray>() // image rows that made a top list
        var start = 0L
        for (batch in data.batchesInOrder(1024)) {
            if (start >= maxRows) break
            val x = batch.castTo(model.dtype().nd4j())
            val codes = model.forward(model.inputOf(x)).codes().castTo(DataType.DOUBLE)
            val values = codes.dup('c').data().asDouble()
            val rows = codes.rows().toInt()
            for (r in 0 until rows) {
                for (j in 0 until c) {
                    val v = values[r * c + j]
                    if (v > 0) {
                        fired[j]++
                        val q = best[j]
                        if (q.size < top) q += Hit(start + r, v)
                        else if (v > q.peek().value) {
                            q.poll()
                            q += Hit(start + r, v)
                        }
                    }
                }
            }
            if (imageShape != null) {
                val wanted = best.flatMap { q -> q.map { it.row } }.toSet()
                for (r in 0 until rows) if (start + r in wanted)
                    kept[start + r] =
                        batch.getRow(r.toLong()).castTo(DataType.DOUBLE).toDoubleVector()
            }
            start += rows
        }
        val labels = data.labels().orElse(null)
        val order = (0 until c).sortedByDescending { fired[it] }.take(concepts)
        val table =
            Html.table(
                listOf(
                    "concept",
                    "fires on",
                    "highest-activating ${if (imageShape != null) "rows" else "labels"}",
                ),
                order.map { j ->
                    val hits = best[j].sortedByDescending { it.value }
                    val shown =
                        if (imageShape != null) {
                            hits.joinToString(" ") { h ->
                                kept[h.row]?.let {
                                    Html.png(Raster.greyTile(it, imageShape), "row ${h.row}", 2)
                                } ?: ""
                            }
                        } else {
                            hits.joinToString(", ") { h ->
                                "${Html.escape(labels[h.row.toInt()])} <span style=\"color: #777;\">${Html.num(h.value)}</span>"
                            }
                        }
                    listOf("#$j", "${fired[j]} rows", shown)
                },
            )
        return Html.section(
            "The $concepts concepts that fire on the most of $start rows of ${data.description()}",
            table,
        )
    }

    override fun toString() = "ConceptTable[$concepts concepts of ${data.description()}]"
}
