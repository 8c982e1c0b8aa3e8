package dev.saekit.jupyter

import dev.saekit.model.JumpReluSpec
import dev.saekit.model.TopKSpec
import dev.saekit.model.VanillaSpec
import dev.saekit.sweep.CellResult
import dev.saekit.sweep.FrontierCsv
import dev.saekit.sweep.SweepGrid
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import org.jetbrains.letsPlot.intern.toSpec

class FrontierSpec :
    FunSpec({
        // topk at k 8 and 16, vanilla at two coefficients and jumprelu at one: hand-made
        // measurements
        val grid =
            SweepGrid.builder()
                .k(TopKSpec.KIND, 8, 16)
                .l1(VanillaSpec.KIND, 1e-4, 1e-3)
                .l1(JumpReluSpec.KIND, 3e-4)
                .build()
        val measured = listOf(8.0 to 0.42, 16.0 to 0.31, 48.2 to 0.22, 9.7 to 0.55, 33.1 to 0.27)
        val rows =
            grid.cells().zip(measured).map { (cell, m) ->
                val extra =
                    if (cell.variant() == VanillaSpec.KIND) mapOf()
                    else mapOf("fraction_recovered" to 1 - m.second / 2)
                CellResult(cell, 512, m.first, m.second, 1 - m.second, 0.0, 1.0, extra)
            }

        fun texts(svg: String) =
            Regex(">\\s*([^<>]+?)\\s*<").findAll(svg).map { it.groupValues[1] }.toSet()

        test(
            "each variant is a line through its cells, each L1 cell labelled with its coefficient"
        ) {
            val svg = FrontierPlots.svg(rows)
            val shown = texts(svg)
            for (t in listOf("topk", "vanilla", "jumprelu", "l1=1e-4", "l1=1e-3", "l1=3e-4")) {
                withClue(t) { (t in shown) shouldBe true }
            }
            // a k cell sits at its k: no label, and the axis marks powers of two
            (shown intersect setOf("k=8", "k=16")) shouldBe emptySet()
            (shown intersect setOf("8", "16", "32")) shouldBe setOf("8", "16", "32")
            svg shouldContain "FVU (fraction of variance unexplained)"
            svg shouldContain "512 concepts"
        }

        test("the plot of a frontier.csv is the plot of its rows") {
            val file = tempdir().toPath().resolve("frontier.csv")
            FrontierCsv.write(file, rows)
            frontierPlot(file).toSpec() shouldBe FrontierPlots.plot(rows).toSpec()
        }

        test("a downstream column is drawn for the cells that have it") {
            val svg = FrontierPlots.svg(rows, "fraction_recovered")
            svg shouldContain "fraction of the model output recovered"
            texts(svg).contains("vanilla") shouldBe false // no vanilla cell has the column
            svg shouldNotContain "l1=1e-3"
        }

        test("a column no cell has is refused, listing the columns") {
            shouldThrow<IllegalArgumentException> { FrontierPlots.plot(rows, "fraction") }
                .message shouldContain "fraction_recovered"
        }
    })
