package dev.saekit.jupyter

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.string.shouldContain

/** The comparison of rendered numbers at their printed precision, on hand-made snippets. */
class PrintedNumbersSpec :
    FunSpec({
        fun cell(v: String) = "<td>r2</td><td>$v</td>"

        test("a number printed as expected matches") {
            PrintedNumbers.mismatch(cell("0.8123"), cell("0.8123")).shouldBeNull()
        }

        test("a last digit flipped by one unit, as rounding on a boundary can do, matches") {
            PrintedNumbers.mismatch(cell("0.8123"), cell("0.8124")).shouldBeNull()
            PrintedNumbers.mismatch(cell("0.8123"), cell("0.8122")).shouldBeNull()
            PrintedNumbers.mismatch(cell("-0.0000"), cell("0.0000")).shouldBeNull()
        }

        test("a wrong fourth decimal fails, and so does any earlier one") {
            PrintedNumbers.mismatch(cell("0.8123"), cell("0.8125")).shouldNotBeNull() shouldContain
                "one unit of its last printed place (0.0001)"
            PrintedNumbers.mismatch(cell("0.8123"), cell("0.8223")).shouldNotBeNull()
            PrintedNumbers.mismatch(cell("12.5"), cell("12.7")).shouldNotBeNull()
        }

        test("a number printed with another precision fails") {
            PrintedNumbers.mismatch(cell("0.8123"), cell("0.812")).shouldNotBeNull() shouldContain
                "printed with 3 decimals, expected 4"
        }

        test("scientific notation is compared at its last printed place") {
            PrintedNumbers.mismatch(cell("1.5E-4"), cell("1.6E-4")).shouldBeNull()
            PrintedNumbers.mismatch(cell("1.5E-4"), cell("1.7E-4")).shouldNotBeNull()
        }

        test("full-precision SVG geometry is compared within float32 noise of its magnitude") {
            val line = { y: String -> "<line y1=\"$y\" x2=\"459.9652987797186\"/>" }
            PrintedNumbers.mismatch(line("149.47453443066604"), line("149.47453443066718"))
                .shouldBeNull()
            PrintedNumbers.mismatch(line("149.47453443066604"), line("149.47453443066604"))
                .shouldBeNull()
            PrintedNumbers.mismatch(line("149.47453443066604"), line("149.47553443066604"))
                .shouldNotBeNull() shouldContain "float32 noise"
        }

        test("a missing or extra number fails") {
            PrintedNumbers.mismatch(cell("0.8123") + cell("0.5"), cell("0.8123"))
                .shouldNotBeNull() shouldContain "expected 2 decimals, found 1"
        }

        test("the text around the numbers, integers included, is what must be identical") {
            PrintedNumbers.skeleton("<td>64 rows</td><td>0.8123</td>") shouldContain "64 rows"
            PrintedNumbers.skeleton("<td>0.8123</td>") shouldContain "<td>#</td>"
        }
    })
