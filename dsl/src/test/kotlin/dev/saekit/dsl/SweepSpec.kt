package dev.saekit.dsl

import dev.saekit.model.TopKSpec
import dev.saekit.model.VanillaSpec
import dev.saekit.sweep.FrontierCsv
import dev.saekit.sweep.SweepMismatchException
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.doubles.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files
import org.jetbrains.kotlin.cli.common.ExitCode

class SweepSpec :
    FunSpec({
        val data =
            Fixtures.sparseDictionary(rows = 512, width = 16, atoms = 48, active = 4, seed = 2)

        test(
            "a sweep trains every variant at every level and places each cell at its measured L0"
        ) {
            val dir = tempdir().toPath().resolve("sweep")
            val seen = mutableListOf<String>()
            val result =
                sweep(data, dir) {
                    concepts = 32
                    epochs = 2
                    batchSize = 64
                    optimizer = adam(lr = 1e-2)
                    topK(2, 6)
                    batchTopK(4)
                    vanilla(1e-5, 3e-2)
                    onCell { seen += it.cell().id() }
                }
            result.rows().map { it.cell().id() } shouldContainExactly
                listOf("topk-k2", "topk-k6", "batchtopk-k4", "vanilla-l1-1e-5", "vanilla-l1-0.03")
            seen shouldBe result.rows().map { it.cell().id() }
            result.frontier(TopKSpec.KIND).forEach {
                it.l0() shouldBeLessThanOrEqual it.cell().level().value()
            }
            val vanilla = result.frontier(VanillaSpec.KIND)
            vanilla.first().cell().level().value() shouldBe
                3e-2 // the larger coefficient, the smaller L0
            vanilla.first().l0() shouldBeLessThan vanilla.last().l0()
            FrontierCsv.read(result.csv()) shouldBe result.rows()
        }

        test("running the block again reads the finished cells back and trains only new ones") {
            val dir = tempdir().toPath().resolve("sweep")
            fun run(vararg ks: Int) =
                sweep(data, dir) {
                    concepts = 32
                    epochs = 1
                    batchSize = 64
                    topK(*ks)
                    listener(
                        object : dev.saekit.sweep.SweepListener {
                            override fun onCellStart(
                                cell: dev.saekit.sweep.SweepCell,
                                position: Int,
                            ) {
                                trained += cell.id()
                            }
                        }
                    )
                }
            trained.clear()
            val first = run(2)
            val csv = Files.readString(first.csv())
            trained.clear()
            run(2).rows() shouldBe first.rows()
            trained.shouldBeEmpty()
            Files.readString(first.csv()) shouldBe csv
            run(2, 4)
            trained shouldContainExactly listOf("topk-k4")
        }

        test("a sweep continued with other settings is refused, naming the setting") {
            val dir = tempdir().toPath().resolve("sweep")
            sweep(data, dir) {
                concepts = 32
                epochs = 1
                batchSize = 64
                topK(2)
            }
            val e =
                shouldThrow<SweepMismatchException> {
                    sweep(data, dir) {
                        concepts = 32
                        epochs = 1
                        batchSize = 128
                        topK(2)
                    }
                }
            e.setting() shouldBe "training.batch_size"
        }

        test("a downstream evaluator's columns reach every row and the CSV") {
            val dir = tempdir().toPath().resolve("sweep")
            val result =
                sweep(data, dir) {
                    concepts = 32
                    epochs = 1
                    batchSize = 64
                    topK(2, 4)
                    downstream { model, _, cell ->
                        mapOf(
                            "fraction_recovered" to 1.0 / cell.level().value(),
                            "concepts_seen" to model.nbConcepts().toDouble(),
                        )
                    }
                }
            result.downstreamColumns() shouldContainExactly
                listOf("concepts_seen", "fraction_recovered")
            result.rows().map { it.downstream()["fraction_recovered"] } shouldBe listOf(0.5, 0.25)
            Files.readAllLines(result.csv())[0] shouldContain ",concepts_seen,fraction_recovered"
        }

        test("a sweep without concepts or without a variant is refused before training") {
            val dir = tempdir().toPath().resolve("sweep")
            shouldThrow<MissingSettingException> { sweep(data, dir) { topK(2) } }
                .message shouldContain "concepts"
            shouldThrow<MissingSettingException> { sweep(data, dir) { concepts = 8 } }
                .message shouldContain "topK(8, 16, 32)"
            shouldThrow<InvalidSettingException> {
                    sweep(data, dir) {
                        concepts = 8
                        topK(0)
                    }
                }
                .message shouldContain "topK k must be >= 1"
            Files.exists(dir) shouldBe false
        }

        test("a level of the wrong kind for its variant does not compile") {
            val body =
                listOf(
                    "fun ok(d: Dataset) = sweep(d, Path.of(\"s\")) { concepts = 8; topK(2, 4); vanilla(1e-4) }", // 1
                    "fun kForVanilla(d: Dataset) = sweep(d, Path.of(\"s\")) { concepts = 8; vanilla(8) }", // 2
                    "fun l1ForTopK(d: Dataset) = sweep(d, Path.of(\"s\")) { concepts = 8; topK(1e-4) }", // 3
                )
            val header =
                "import dev.saekit.dsl.*\nimport dev.saekit.data.Dataset\nimport java.nio.file.Path"
            val result = KotlinCompiler.compile(header + "\n" + body.joinToString("\n"))
            result.exitCode shouldBe ExitCode.COMPILATION_ERROR
            result.errorsAt(3 + 1).shouldBeEmpty()
            result.errorsAt(3 + 2).shouldNotBeEmpty()
            result.errorsAt(3 + 3).shouldNotBeEmpty()
        }
    }) {
    private companion object {
        val trained = mutableListOf<String>()
    }
}
