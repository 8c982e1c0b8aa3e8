package dev.saekit.jupyter

import dev.saekit.data.Dataset
import dev.saekit.dsl.Harvest
import dev.saekit.metrics.TopActivations
import dev.saekit.model.SparseAutoencoder
import dev.saekit.onnx.text.TokenTable
import java.util.Locale
import org.nd4j.linalg.api.buffer.DataType

/** One activation of a concept shown in its document: every token, its activation, and the peak. */
class TokenContext(
    val documentId: String,
    val tokens: List<String>,
    val activations: DoubleArray,
    val peak: Int,
) {
    val value: Double
        get() = activations[peak]
}

/** A concept's top contexts, with how often it fires and its largest value. */
class ConceptContexts(
    val concept: Int,
    val density: Double,
    val max: Double,
    val contexts: List<TokenContext>,
) {
    /** The tokens at the peaks of its contexts, most frequent first: a short label. */
    val label: String
        get() =
            contexts
                .groupingBy { it.tokens[it.peak] }
                .eachCount()
                .entries
                .sortedByDescending { it.value }
                .take(3)
                .joinToString(", ") { it.key }
}

/**
 * Concepts read as tokens in context: for each concept its top-activating tokens, each shown in its
 * document with every token shaded by the concept's activation and the peak token boxed. Token
 * strings and texts are escaped, so a token `<script>` shows as text.
 */
class TokenContextsView(val title: String, val concepts: List<ConceptContexts>) {
    fun toHtml(): String {
        val rows =
            concepts.map { c ->
                val contexts =
                    c.contexts.joinToString("") {
                        "<div style=\"margin: 2px 0; text-align: left;\">${line(it)}</div>"
                    }
                listOf(
                    "<b>${c.concept}</b>",
                    Html.escape(c.label),
                    Html.num(c.density),
                    Html.num(c.max),
                    contexts,
                )
            }
        return Html.section(
            title,
            Html.table(listOf("concept", "peak tokens", "density", "max", "top contexts"), rows),
        )
    }

    private fun line(context: TokenContext): String {
        val max = context.activations.maxOrNull()?.takeIf { it > 0 } ?: 1.0
        val sb = StringBuilder("<span style=\"font-family: 'DejaVu Sans Mono', monospace;\">")
        for ((i, token) in context.tokens.withIndex()) {
            val continuation = token.startsWith("##")
            val shown = if (continuation) token.substring(2) else token
            if (i > 0 && !continuation) sb.append(' ')
            val a = (context.activations[i] / max).coerceIn(0.0, 1.0)
            val style = StringBuilder()
            if (a > 0)
                style.append(String.format(Locale.ROOT, "background: rgba(33,145,140,%.2f);", a))
            if (i == context.peak) style.append("border: 1px solid #440154; font-weight: 600;")
            val tip = String.format(Locale.ROOT, "%.3g", context.activations[i])
            sb.append("<span title=\"$tip\" style=\"$style\">${Html.escape(shown)}</span>")
        }
        sb.append("</span> <span style=\"color: #777;\">(")
        sb.append(Html.escape(context.documentId))
            .append(", ")
            .append(Html.num(context.value))
            .append(")</span>")
        return sb.toString()
    }

    override fun toString(): String =
        "$title: " + concepts.joinToString("; ") { "${it.concept} [${it.label}]" }
}

/**
 * The top [top] contexts of concepts of this model over [data], the activations of a harvest whose
 * token table is [table] (rows of [data] in the table's order: a harvest directory read as
 * `activations(dir, tap)`, centred or not as the model was trained). [concepts] picks which; by
 * default the [show] most frequent ones that fire on at most [maxDensity] of the tokens. Two passes
 * over [data]: the first keeps each concept's top hits in fixed memory, the second encodes only the
 * batches that hold the hits' documents, to shade every token.
 */
fun SparseAutoencoder.tokenContexts(
    data: Dataset,
    table: TokenTable,
    concepts: List<Int>? = null,
    show: Int = 8,
    top: Int = 5,
    maxDensity: Double = 0.05,
    title: String = "concepts as tokens in context",
): TokenContextsView {
    require(data.rows() == table.rows()) {
        "the data has ${data.rows()} rows but the token table has ${table.rows()}: " +
            "give the activations of that harvest, every shard, in order"
    }
    require(show > 0 && top > 0) { "show and top must be > 0, were $show and $top" }
    eval()
    val batch = 1024
    val acc = TopActivations(nbConcepts(), top)
    var start = 0L
    for (x in data.batchesInOrder(batch)) {
        acc.add(start, forward(inputOf(x.castTo(dtype().nd4j()))).codes())
        start += x.rows()
    }
    val chosen =
        concepts?.onEach {
            require(it in 0 until nbConcepts()) { "concept $it is not in 0 until ${nbConcepts()}" }
        }
            ?: (0 until nbConcepts())
                .filter { acc.fired(it) > 0 && acc.density(it) <= maxDensity }
                .sortedByDescending { acc.fired(it) }
                .take(show)
    // the rows of every hit's document: a document's rows are contiguous
    val spans = HashMap<Long, LongArray>()
    for (c in chosen) for (hit in acc.top(c)) {
        val document = table.row(hit.row()).document()
        if (document !in spans) spans[document] = documentRows(table, hit.row())
    }
    val wanted = java.util.TreeSet<Long>()
    for (span in spans.values) for (r in span[0] until span[1]) wanted += r
    val values = HashMap<Long, DoubleArray>() // row -> activations of the chosen concepts
    start = 0L
    val columns = chosen.toIntArray()
    for (x in data.batchesInOrder(batch)) {
        val n = x.rows()
        val first = wanted.ceiling(start)
        if (first != null && first < start + n) {
            val codes = forward(inputOf(x.castTo(dtype().nd4j()))).codes().castTo(DataType.DOUBLE)
            for (row in wanted.subSet(start, start + n)) {
                val r = row - start
                values[row] = DoubleArray(columns.size) { codes.getDouble(r, columns[it].toLong()) }
            }
        }
        start += n
    }
    val vocabulary = table.vocabulary()
    val result =
        chosen.mapIndexed { ci, c ->
            val contexts =
                acc.top(c).map { hit ->
                    val document = table.row(hit.row()).document()
                    val span: LongArray = spans[document]!!
                    val from = span[0]
                    val rows = (span[0] until span[1]).toList()
                    TokenContext(
                        table.document(document).id(),
                        rows.map { r ->
                            table.row(r).tokenId().let { id -> vocabulary.getOrElse(id) { "#$id" } }
                        },
                        DoubleArray(rows.size) { values.getValue(rows[it])[ci] },
                        (hit.row() - from).toInt(),
                    )
                }
            ConceptContexts(c, acc.density(c), acc.max(c), contexts)
        }
    return TokenContextsView(title, result)
}

/**
 * As [tokenContexts] over the rows of [harvest]: [data] is its tap's rows, as the model was trained
 * on them.
 */
fun SparseAutoencoder.tokenContexts(
    harvest: Harvest,
    data: Dataset = harvest.data(),
    concepts: List<Int>? = null,
    show: Int = 8,
    top: Int = 5,
    maxDensity: Double = 0.05,
    title: String = "concepts as tokens in context",
): TokenContextsView =
    harvest.tokens().use { table ->
        tokenContexts(data, table, concepts, show, top, maxDensity, title)
    }

/** The rows `[from, to)` of the document that row [row] belongs to. */
private fun documentRows(table: TokenTable, row: Long): LongArray {
    val document = table.row(row).document()
    var from = row
    while (from > 0 && table.row(from - 1).document() == document) from--
    var to = row + 1
    while (to < table.rows() && table.row(to).document() == document) to++
    return longArrayOf(from, to)
}
