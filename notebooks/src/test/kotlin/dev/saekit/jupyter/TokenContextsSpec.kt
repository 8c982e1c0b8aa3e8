package dev.saekit.jupyter

import dev.saekit.dsl.harvest
import dev.saekit.dsl.minilm
import dev.saekit.dsl.sae
import dev.saekit.dsl.train
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files
import org.nd4j.linalg.api.buffer.DataType

class TokenContextsSpec :
    FunSpec({
        val dir = Files.createTempDirectory("saekit-token-contexts")
        afterSpec { dir.toFile().deleteRecursively() }

        test(
            "each concept's top tokens are shown in their documents, shaded, with the peak marked"
        ) {
            val harvest =
                minilm().use { model ->
                    harvest(model, dir.resolve("h").toString()) {
                        tokens = 2_000
                        progress = false
                    }
                }
            val data = harvest.data()
            val model = sae {
                input(384)
                concepts(96)
                seed = 1
                topK(8)
            }
            train(model, data) {
                epochs = 3
                batchSize = 250
            }
            val view = model.tokenContexts(harvest, data, show = 4, top = 3)
            view.concepts shouldHaveSize 4
            // every code of the model over the harvest, in row order, to check the view against
            model.eval()
            val codes =
                model.forward(data.batchesInOrder(2_000).first()).codes().castTo(DataType.DOUBLE)
            harvest.tokens().use { table ->
                for (c in view.concepts) {
                    c.contexts shouldHaveSize 3
                    val column = codes.getColumn(c.concept.toLong()).toDoubleVector()
                    c.contexts[0].value shouldBe column.max()
                    c.max shouldBe column.max()
                    c.density shouldBe column.count { it > 0 } / 2_000.0
                    for (context in c.contexts) {
                        context.value shouldBeGreaterThan 0.0
                        context.activations.max() shouldBe context.value
                        context.tokens.size shouldBe context.activations.size
                    }
                }
                table.rows() shouldBe 2_000
            }
            val html = view.toHtml()
            html shouldContain "rgba(33,145,140,"
            html.split("border: 1px solid #440154").size - 1 shouldBe 4 * 3
        }

        test("tokens and document ids are escaped") {
            val view =
                TokenContextsView(
                    "t",
                    listOf(
                        ConceptContexts(
                            7,
                            0.01,
                            2.0,
                            listOf(
                                TokenContext(
                                    "doc<1>",
                                    listOf("<script>", "##x"),
                                    doubleArrayOf(2.0, 1.0),
                                    0,
                                )
                            ),
                        )
                    ),
                )
            val html = view.toHtml()
            html shouldContain "&lt;script&gt;"
            html shouldContain "doc&lt;1&gt;"
            html shouldNotContain "<script>"
            view.concepts[0].label shouldBe "<script>"
        }
    })
