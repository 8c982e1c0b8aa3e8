package dev.saekit.jupyter

import dev.saekit.dashboard.Dashboard
import java.util.Locale

/**
 * A concept dashboard in a notebook: what was scanned and how fast, how many concepts are dead or
 * dense, and the [SHOWN] densest concepts with their labels (escaped). A concept's own page is
 * `dashboard.conceptPage(c)`; the whole site is `dashboard.write(dir)`.
 */
internal object DashboardView {
    const val SHOWN = 20

    fun html(d: Dashboard): String {
        val s = d.statistics()
        val order = densest(d)
        val rows =
            order.map { c ->
                listOf(
                    "<b>$c</b>",
                    Html.escape(d.name(c) ?: ""),
                    Html.escape(d.label(c)),
                    Html.num(s.density(c)),
                    "%,d".format(Locale.ROOT, s.fired(c)),
                    Html.num(s.max(c)),
                )
            }
        val summary =
            "<div style=\"margin-bottom: 6px;\">${Html.escape(counts(d))}<br/>" +
                "${Html.escape(scan(d))}<br/>" +
                "<span style=\"color: #777;\">the $SHOWN densest concepts below; " +
                "<code>conceptPage(c)</code> shows one concept, <code>write(dir)</code> writes the site</span></div>"
        return Html.section(
            d.title(),
            summary +
                Html.table(listOf("concept", "name", "label", "density", "fires on", "max"), rows),
        )
    }

    fun text(d: Dashboard): String =
        "${d.title()}\n${counts(d)}\n${scan(d)}\n" +
            densest(d).joinToString("\n") { c ->
                val name = d.name(c)?.let { " \"$it\"" } ?: ""
                String.format(
                    Locale.ROOT,
                    "  %d%s [%s] density %s",
                    c,
                    name,
                    d.label(c),
                    Html.num(d.statistics().density(c)),
                )
            }

    private fun densest(d: Dashboard): List<Int> =
        (0 until d.concepts())
            .sortedWith(compareByDescending<Int> { d.statistics().density(it) }.thenBy { it })
            .take(SHOWN)

    private fun counts(d: Dashboard): String {
        val dead = (0 until d.concepts()).count { d.dead(it) }
        val dense = (0 until d.concepts()).count { d.dense(it) }
        return String.format(
            Locale.ROOT,
            "%,d rows x %,d concepts: %,d dead, %,d dense",
            d.statistics().rows(),
            d.concepts(),
            dead,
            dense,
        )
    }

    private fun scan(d: Dashboard): String {
        val r = d.scan()
        return if (r.rowsThisRun() == 0L) "scan: the saved scan was finished"
        else
            String.format(
                Locale.ROOT,
                "scan: %,d rows%s in %.1f s, %,.0f rows x concepts per second",
                r.rowsThisRun(),
                if (r.resumed()) " (continued)" else "",
                r.seconds(),
                r.cellsPerSecond(),
            )
    }
}
