package dev.saekit.jupyter

import dev.saekit.dsl.conceptPage
import dev.saekit.dsl.dashboard
import dev.saekit.dsl.matrix
import dev.saekit.dsl.sae
import dev.saekit.dsl.train
import dev.saekit.tensor.DType
import dev.saekit.tensor.SeededRandom
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths

/**
 * Each renderer on values made by real notebook code, compared with the checked-in output in
 * `src/test/resources/expected/NAME.html` (normalised: embedded PNGs, SVG id hashes and the
 * training time elided). Every printed number is compared at the precision it is printed with
 * ([PrintedNumbers]): a metric printed as 0.8123 must be 0.8123 give or take one unit of its last
 * place, which a last-bit difference of the BLAS on another CPU can flip, but no more. `mvn -pl
 * notebooks test -Dsaekit.jupyter.update=true` rewrites the expected files.
 */
class RenderSpec :
    FunSpec({
        val words =
            listOf("<script>alert(1)</script>", "cat", "dog", "\"quoted\" & more") +
                (4 until 64).map { "word$it" }
        val vectors =
            matrix(SeededRandom(1).normal(DType.FLOAT32, 1.0, 64, 12), words, "test vectors")
        // 8x8 images: a bright square at a position that depends on the row
        val images =
            matrix(
                Array(48) { r ->
                    FloatArray(64) { p ->
                        if ((p / 8) in (r % 5)..(r % 5 + 2) && (p % 8) in (r % 4)..(r % 4 + 3)) 1f
                        else 0f
                    }
                },
                description = "test images",
            )

        fun expect(name: String, html: String) {
            val dir =
                Paths.get(
                    System.getProperty("saekit.jupyter.expected", "src/test/resources/expected")
                )
            val file: Path = dir.resolve("$name.html")
            val actual = normalise(html)
            Files.createDirectories(Paths.get("target/rendered"))
            Files.writeString(
                Paths.get("target/rendered/$name.html"),
                "<html><body>$html</body></html>",
            ) // for a look in a browser
            Files.writeString(Paths.get("target/rendered/$name.normalised.html"), actual)
            if (System.getProperty("saekit.jupyter.update") == "true") {
                Files.createDirectories(dir)
                Files.writeString(file, actual)
            }
            val expected = Files.readString(file)
            PrintedNumbers.skeleton(actual) shouldBe PrintedNumbers.skeleton(expected)
            withClue("$name.html, numbers at their printed precision") {
                PrintedNumbers.mismatch(expected, actual) shouldBe null
            }
        }

        test("a model renders as a summary card") {
            val model = sae {
                input(12)
                concepts(32)
                seed = 1
                batchTopK(4)
            }
            val html = Renderings.html(model)!!
            html shouldContain "running threshold not estimated yet"
            expect("model-card", html)
        }

        test("a training run renders its curves and metrics") {
            val model = sae {
                input(12)
                concepts(32)
                seed = 1
                topK(3)
            }
            val run =
                train(model, vectors) {
                    epochs = 3
                    batchSize = 16
                    optimizer = adam(lr = 1e-2)
                }
            val html = Renderings.html(run)!!
            html shouldContain "<svg"
            html shouldContain "Metrics over 64 rows"
            // four plots on one page: each has its own clip-path ids, or the browser clips one plot
            // by another's
            val prefixes =
                Regex("id=\"(sk[0-9a-f]+)-").findAll(html).map { it.groupValues[1] }.toSet()
            prefixes.size shouldBe 4
            expect("training-run", html)
        }

        test("codes render as a heat map and distributions, with labels escaped") {
            val model = sae {
                input(12)
                concepts(32)
                seed = 2
                topK(3)
            }
            val html =
                Renderings.html(model.codesView(vectors, rows = 6, concepts = 5, sample = 64))!!
            html shouldNotContain "<script>"
            html shouldContain "&lt;script&gt;"
            expect("codes", html)
        }

        test("reconstructions render as error bars for vectors and as images for image rows") {
            val model = sae {
                input(12)
                concepts(32)
                seed = 3
                topK(3)
            }
            val vectorsHtml = Renderings.html(model.reconstructionView(vectors, rows = 4))!!
            vectorsHtml shouldNotContain "<script>"
            expect("reconstructions-vectors", vectorsHtml)
            val imageModel = sae {
                input(64)
                concepts(16)
                seed = 3
                topK(2)
            }
            val imagesHtml =
                Renderings.html(
                    imageModel.reconstructionView(images, rows = 3, imageShape = ImageShape(8, 8))
                )!!
            imagesHtml shouldContain "data:image/png;base64,"
            expect("reconstructions-images", imagesHtml)
        }

        test("the dictionary renders as a heat map, cosine similarities and image tiles") {
            val model = sae {
                input(64)
                concepts(16)
                seed = 4
                topK(2)
            }
            expect(
                "dictionary",
                Renderings.html(model.dictionaryView(atoms = 8, imageShape = ImageShape(8, 8)))!!,
            )
        }

        test("a concept table lists top-activating labels, escaped, or thumbnails") {
            val model = sae {
                input(12)
                concepts(32)
                seed = 5
                topK(3)
            }
            val html = Renderings.html(model.conceptTable(vectors, concepts = 4, top = 3))!!
            html shouldNotContain "<script>"
            expect("concepts-words", html)
            val imageModel = sae {
                input(64)
                concepts(16)
                seed = 5
                topK(2)
            }
            expect(
                "concepts-images",
                Renderings.html(
                    imageModel.conceptTable(
                        images,
                        concepts = 3,
                        top = 2,
                        imageShape = ImageShape(8, 8),
                    )
                )!!,
            )
        }

        test(
            "a concept dashboard renders as a summary and its densest concepts, a concept page as its fragment"
        ) {
            val model = sae {
                input(12)
                concepts(32)
                seed = 6
                topK(3)
            }
            val concepts =
                model.dashboard(vectors) {
                    top = 4
                    quantiles(2, 2)
                    similar = 3
                    names(12 to "<b>named</b>")
                    title = "test dashboard"
                }
            val html = Renderings.html(concepts)!!
            html shouldContain "64 rows x 32 concepts"
            html shouldContain "&lt;b&gt;named&lt;/b&gt;"
            html shouldNotContain "<script"
            Renderings.text(concepts) shouldContain "test dashboard\n64 rows x 32 concepts"
            expect("dashboard", html)
            // concept 12 fires on the row labelled `<script>...`: its page lists that label
            val shown = 12
            concepts.tokens(shown) shouldContain "<script>alert(1)</script>"
            val page = concepts.conceptPage(shown)
            val pageHtml = Renderings.html(page)!!
            pageHtml shouldBe concepts.pageHtml(shown)
            pageHtml shouldNotContain "<script"
            pageHtml shouldContain "&lt;script&gt;alert(1)&lt;/script&gt;"
            Renderings.text(page) shouldContain "concept 12 \"<b>named</b>\" ["
            expect("concept-page", pageHtml)
        }

        test("tables escape their text and Lets-Plot figures become inline SVG") {
            val html =
                Renderings.html(
                    table(
                        listOf("word", "r2"),
                        listOf(listOf("<b>bold</b>", 0.123456), listOf("plain", 2)),
                    )
                )!!
            html shouldContain "&lt;b&gt;bold&lt;/b&gt;"
            html shouldContain ">0.1235<"
            expect("table", html)
            val plot =
                org.jetbrains.letsPlot.letsPlot(
                    mapOf("x" to listOf(1, 2, 3), "y" to listOf(2.0, 1.0, 3.0))
                ) {
                    x = "x"
                    y = "y"
                } + org.jetbrains.letsPlot.geom.geomLine()
            val svg = Renderings.html(plot)!!
            svg shouldContain "<svg"
            svg shouldNotContain "<script"
            expect("plot", svg)
        }

        test("a crosscoder's concepts by layer render as counts and the relative-norm histogram") {
            // decoders set by hand (the engine's LayerSharesTest): concept 0 in layer 1 only, 1 in
            // layer 2
            // only, 2 in both, 3 mostly in layer 2 but silent
            val crosscoder = sae {
                input(2)
                concepts(4)
                crosscoder(layers = 2)
                dtype = DType.FLOAT64
                vanilla()
            }
            fun rows(vararg r: DoubleArray) =
                org.nd4j.linalg.factory.Nd4j.createFromArray(arrayOf(*r))
            crosscoder
                .parameter("W_dec")
                .get()
                .assign(
                    rows(
                        doubleArrayOf(3.0, 4.0, 0.0, 0.0),
                        doubleArrayOf(0.0, 0.0, 0.0, 2.0),
                        doubleArrayOf(0.0, 1.0, 1.0, 0.0),
                        doubleArrayOf(0.0, 1.0, 0.0, 3.0),
                    )
                )
            crosscoder
                .parameter("W_enc")
                .get()
                .assign(
                    rows(
                        doubleArrayOf(1.0, 1.0, 1.0, 0.0),
                        doubleArrayOf(0.0, 0.0, 0.0, 0.0),
                        doubleArrayOf(0.0, 0.0, 0.0, 0.0),
                        doubleArrayOf(0.0, 0.0, 0.0, 0.0),
                    )
                )
            crosscoder
                .parameter("b_enc")
                .get()
                .assign(org.nd4j.linalg.factory.Nd4j.createFromArray(0.0, 0.0, 0.0, -1.0))
            val data =
                matrix(
                    rows(doubleArrayOf(1.0, 0.0, 0.0, 0.0), doubleArrayOf(2.0, 0.0, 0.0, 0.0)),
                    description = "rows",
                )
            val view = crosscoder.layerShares(data, listOf("layer 1", "layer 2"))
            view.specific shouldBe listOf(1, 1)
            view.shared shouldBe 1
            view.dead shouldBe 1
            val html = Renderings.html(view)!!
            html shouldContain "specific to layer 1"
            html shouldContain "<svg"
            expect("layer-shares", html)
        }
    })

/** Embedded PNGs and SVG id hashes elided, the training time left out; numbers kept as printed. */
internal fun normalise(html: String): String =
    html
        .replace(Regex("data:image/png;base64,[A-Za-z0-9+/=]+"), "data:image/png;base64,...")
        .replace(Regex("steps in [0-9.]+ s"), "steps in ... s")
        .replace(
            Regex("rows in [0-9.]+ s, [0-9,]+ rows x concepts"),
            "rows in ... s, ... rows x concepts",
        )
        .replace(Regex("sk[0-9a-f]+-"), "sk...-")
        .replace("><", ">\n<")
