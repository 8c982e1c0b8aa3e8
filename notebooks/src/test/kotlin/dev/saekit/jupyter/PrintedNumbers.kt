package dev.saekit.jupyter

import java.math.BigDecimal
import java.util.Locale
import kotlin.math.abs
import kotlin.math.max

/**
 * Compares rendered HTML with an expected rendering number by number, each at the precision it is
 * printed with.
 *
 * Outside its numbers the text must be identical (integers included: counts and shapes are exact).
 * A decimal printed in a short fixed format (0.8123, 1.5E-4: fewer than [FULL_PRECISION_DIGITS]
 * significant digits) must be printed with as many decimals as expected and lie within one unit of
 * its last printed place: rounding can flip the last digit when a value sits on a rounding boundary
 * and another CPU's BLAS moved it by an ulp, but a wrong digit before it, or a last digit off by
 * two, fails. A decimal printed at full double precision (Lets-Plot writes SVG geometry unrounded)
 * carries more digits than the float32 data it was drawn from: it is compared within
 * [FLOAT32_NOISE] of its magnitude (at least 1, a pixel), a few float32 ulps.
 */
internal object PrintedNumbers {
    private val NUMBER = Regex("-?\\d+\\.\\d+(?:E-?\\d+)?")
    const val FULL_PRECISION_DIGITS = 12
    /** 2^-20: eight float32 ulps, relative. */
    val FLOAT32_NOISE = Math.scalb(1.0, -20)

    /** A decimal as printed: its value, its decimals, and how many significant digits it shows. */
    private class Printed(val text: String) {
        val value = text.toDouble()
        val exact = BigDecimal(text)
        private val mantissa = text.substringBefore('E')
        private val exponent = if ('E' in text) text.substringAfter('E').toInt() else 0
        val decimals = mantissa.substringAfter('.').length
        val significantDigits =
            BigDecimal(mantissa.removePrefix("-")).stripTrailingZeros().precision()
        val fullPrecision
            get() = significantDigits >= FULL_PRECISION_DIGITS

        /** One unit of the last printed place. */
        val unit: BigDecimal
            get() = BigDecimal.ONE.scaleByPowerOfTen(exponent - decimals)
    }

    /** The text with every decimal replaced by `#`: what must be identical. */
    fun skeleton(html: String): String = NUMBER.replace(html, "#")

    /**
     * Why `actual`'s decimals do not match `expected`'s at their printed precision, or null when
     * they do.
     */
    fun mismatch(expected: String, actual: String): String? {
        val want = NUMBER.findAll(expected).toList()
        val got = NUMBER.findAll(actual).toList()
        if (want.size != got.size) {
            return "expected ${want.size} decimals, found ${got.size}"
        }
        for (i in want.indices) {
            val e = Printed(want[i].value)
            val a = Printed(got[i].value)
            val problem =
                when {
                    e.fullPrecision || a.fullPrecision -> {
                        val tolerance = FLOAT32_NOISE * max(1.0, max(abs(e.value), abs(a.value)))
                        if (abs(e.value - a.value) <= tolerance) null
                        else
                            String.format(
                                Locale.ROOT,
                                "differs by %.3g, beyond %.3g (float32 noise at this magnitude)",
                                abs(e.value - a.value),
                                tolerance,
                            )
                    }
                    e.decimals != a.decimals ->
                        "is printed with ${a.decimals} decimals, expected ${e.decimals}"
                    e.exact.subtract(a.exact).abs() > e.unit ->
                        "differs by more than one unit of its last printed place (${e.unit.toPlainString()})"
                    else -> null
                }
            if (problem != null) {
                val line = actual.substring(0, got[i].range.first).count { it == '\n' } + 1
                val context =
                    actual.substring(
                        max(0, got[i].range.first - 60),
                        minOf(actual.length, got[i].range.last + 20),
                    )
                return "decimal #${i + 1} (line $line): expected ${e.text}, found ${a.text}, which $problem; in: …$context…"
            }
        }
        return null
    }
}
