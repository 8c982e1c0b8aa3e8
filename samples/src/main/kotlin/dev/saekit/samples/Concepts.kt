package dev.saekit.samples

import dev.saekit.data.InMemoryDataset
import dev.saekit.model.SparseAutoencoder

/**
 * Prints the [count] concepts that fire on the most rows of [data], each with the [top] labels it
 * fires on most strongly.
 */
fun printConcepts(model: SparseAutoencoder, data: InMemoryDataset, count: Int = 8, top: Int = 8) {
    val labels =
        data.labels().orElseThrow {
            IllegalArgumentException("${data.description()} has no labels to show")
        }
    val codes = model.eval().forward(data.matrix()).codes().dup()
    val fired =
        (0 until model.nbConcepts()).map { j ->
            j to codes.getColumn(j.toLong()).gt(0.0).castTo(codes.dataType()).sumNumber().toInt()
        }
    for ((concept, rows) in fired.sortedByDescending { it.second }.take(count)) {
        val column = codes.getColumn(concept.toLong()).toDoubleVector()
        val best = column.indices.sortedByDescending { column[it] }.take(top).map { labels[it] }
        println(
            String.format(
                java.util.Locale.ROOT,
                "  concept %4d  fires on %5d rows: %s",
                concept,
                rows,
                best.joinToString(", "),
            )
        )
    }
}
