package dev.saekit.jupyter

/**
 * A small table for a notebook: [header] and [rows] of values (numbers shown with 4 significant
 * digits, text escaped).
 */
class TableView
internal constructor(private val header: List<String>, private val rows: List<List<Any?>>) {
    fun toHtml(): String =
        Html.table(
            header,
            rows.map { row ->
                row.map { v ->
                    if (v is Double || v is Float) Html.num((v as Number).toDouble())
                    else Html.escape(v.toString())
                }
            },
        )

    override fun toString(): String =
        (listOf(header) + rows.map { r -> r.map { it.toString() } }).joinToString("\n") {
            it.joinToString("\t")
        }
}

/**
 * A table to show inline: `table(listOf("variant", "r2"), results.map { listOf(it.name, it.r2) })`.
 */
fun table(header: List<String>, rows: List<List<Any?>>): TableView {
    require(rows.all { it.size == header.size }) {
        "every row needs ${header.size} values, one per header column"
    }
    return TableView(header, rows)
}
