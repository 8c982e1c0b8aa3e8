package dev.saekit.jupyter

import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import java.util.Base64
import java.util.Locale
import javax.imageio.ImageIO

/**
 * Small HTML helpers shared by the renderers. Everything is inline: no script, no style sheet and
 * no font is fetched, so an output shows the same offline, in an exported HTML file and in a
 * screenshot.
 */
internal object Html {
    const val FONT =
        "font-family: -apple-system, 'DejaVu Sans', Helvetica, Arial, sans-serif; font-size: 13px;"

    /** `<`, `>`, `&` and quotes as entities: a label such as `<script>` shows as text. */
    fun escape(text: String): String {
        val out = StringBuilder(text.length)
        for (c in text) {
            when (c) {
                '<' -> out.append("&lt;")
                '>' -> out.append("&gt;")
                '&' -> out.append("&amp;")
                '"' -> out.append("&quot;")
                '\'' -> out.append("&#39;")
                else -> out.append(c)
            }
        }
        return out.toString()
    }

    /** A titled block that holds one view. */
    fun section(title: String, body: String): String =
        "<div class=\"saekit\" style=\"$FONT margin: 4px 0;\">" +
            "<div style=\"font-weight: 600; margin-bottom: 4px;\">${escape(title)}</div>$body</div>"

    /** A table with a header row; cells are HTML (escape text first). */
    fun table(header: List<String>, rows: List<List<String>>): String {
        val th =
            header.joinToString("") {
                "<th style=\"text-align: left; padding: 2px 10px 2px 0; border-bottom: 1px solid #999;\">${escape(it)}</th>"
            }
        val body =
            rows.joinToString("") { row ->
                "<tr>" +
                    row.joinToString("") {
                        "<td style=\"padding: 2px 10px 2px 0; vertical-align: top;\">$it</td>"
                    } +
                    "</tr>"
            }
        return "<table style=\"border-collapse: collapse; $FONT\"><thead><tr>$th</tr></thead><tbody>$body</tbody></table>"
    }

    /** Views side by side, wrapping on narrow pages. */
    fun row(vararg cells: String): String =
        "<div style=\"display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start;\">" +
            cells.joinToString("") { "<div>$it</div>" } +
            "</div>"

    /**
     * A PNG image inline as a data URI, drawn at [scale] times its pixel size without smoothing.
     */
    fun png(image: BufferedImage, alt: String, scale: Int = 1): String {
        val bytes = ByteArrayOutputStream()
        ImageIO.write(image, "png", bytes)
        val data = Base64.getEncoder().encodeToString(bytes.toByteArray())
        return "<img alt=\"${escape(alt)}\" width=\"${image.width * scale}\" height=\"${image.height * scale}\" " +
            "style=\"image-rendering: pixelated; image-rendering: crisp-edges;\" src=\"data:image/png;base64,$data\"/>"
    }

    /** A number with 4 significant digits, the same on every machine. */
    fun num(v: Double): String =
        when {
            v.isNaN() -> "NaN"
            v == 0.0 -> "0"
            Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 -> String.format(Locale.ROOT, "%.3e", v)
            else ->
                String.format(Locale.ROOT, "%.4g", v).let {
                    if (it.contains('.')) it.trimEnd('0').trimEnd('.') else it
                }
        }
}
