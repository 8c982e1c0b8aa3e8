package dev.saekit.dsl

import dev.saekit.dashboard.RowContexts
import dev.saekit.tensor.DType
import dev.saekit.tensor.SeededRandom
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.types.shouldBeSameInstanceAs
import io.kotest.matchers.types.shouldNotBeSameInstanceAs
import java.nio.file.Files
import org.jsoup.Jsoup

class DashboardSpec :
    FunSpec({
        val script = "<script>alert(1)</script>"
        // 200 rows of 12, labelled by 17 words and one label that is markup
        val words = listOf(script) + (1 until 200).map { "w${it % 17}" }
        val data = matrix(SeededRandom(3).normal(DType.FLOAT32, 1.0, 200, 12), words, "test words")
        val model = sae {
            input(12)
            concepts(32)
            seed = 1
            topK(4)
        }

        test("a dashboard of a labelled data set scans every row and counts the labels") {
            val concepts =
                model.dashboard(data) {
                    top = 5
                    quantiles(2, 2)
                    similar = 3
                }
            concepts.scan().rowsThisRun() shouldBe 200
            concepts.statistics().rows() shouldBe 200
            concepts.concepts() shouldBe 32
            concepts.kind() shouldBe RowContexts.Kind.LABELS
            // TopK at k = 4 fires 4 concepts on every row: 800 firings in all
            (0 until 32).sumOf { concepts.statistics().fired(it) } shouldBe 800L
            (0 until 32).flatMap { concepts.tokens(it) }.toSet() shouldBe words.toSet()
        }

        test(
            "a concept page escapes a markup label and name: the text shows, no script element is made"
        ) {
            val shown =
                model.dashboard(data) {}.let { d -> (0 until 32).first { script in d.tokens(it) } }
            val page =
                model
                    .dashboard(data) { names(shown to "<script>bad()</script> & co") }
                    .conceptPage(shown)
            val html = page.html()
            Jsoup.parse(html).select("script").shouldBeEmpty()
            html shouldNotContain "<script"
            html shouldContain "&lt;script&gt;alert(1)&lt;/script&gt;"
            html shouldContain "&lt;script&gt;bad()&lt;/script&gt; &amp; co"
            page.toString() shouldContain "concept $shown \"<script>bad()</script> & co\""
        }

        test("rows without labels are drawn as images when an image shape is given") {
            val images =
                matrix(
                    Array(64) { r -> FloatArray(16) { p -> if (p % 4 == r % 4) 1f else 0f } },
                    description = "4x4 stripes",
                )
            val imageModel = sae {
                input(16)
                concepts(8)
                seed = 2
                topK(2)
            }
            val d = imageModel.dashboard(images) { imageShape(4, 4) }
            d.kind() shouldBe RowContexts.Kind.IMAGES
            val alive = (0 until 8).first { !d.dead(it) }
            d.conceptPage(alive).html() shouldContain "data:image/png;base64,"
        }

        test("a dashboard with a state directory is found again, not scanned again, and written") {
            val dir = tempdir().toPath()
            val first = model.dashboard(data) { state = dir.resolve("scan") }
            first.scan().rowsThisRun() shouldBe 200
            val again = model.dashboard(data) { state = dir.resolve("scan") }
            again.scan().rowsThisRun() shouldBe 0
            (0 until 32).map { again.statistics().fired(it) } shouldBe
                (0 until 32).map { first.statistics().fired(it) }
            val site = again.write(dir.resolve("site"))
            Files.isRegularFile(dir.resolve("site/index.html")) shouldBe true
            (site.files() > 32) shouldBe true
        }

        test("the one-line concept page builds a dashboard once per SAE and data set") {
            val a = model.conceptPage(data, 3)
            a.dashboard.scan().rowsThisRun() shouldBe 200
            val b = model.conceptPage(data, 5)
            b.dashboard shouldBeSameInstanceAs a.dashboard
            b.concept shouldBe 5
            b.html() shouldBe a.dashboard.pageHtml(5)
            val other = matrix(SeededRandom(4).normal(DType.FLOAT32, 1.0, 50, 12), words.take(50))
            val c = model.conceptPage(other, 3)
            c.dashboard shouldNotBeSameInstanceAs a.dashboard
            c.dashboard.statistics().rows() shouldBe 50
        }

        test("bad options are refused, naming the option and the value") {
            shouldThrow<InvalidSettingException> { model.dashboard(data) { top = 0 } }
                .message shouldBe "dashboard.top must be > 0, was 0"
            shouldThrow<InvalidSettingException> { model.dashboard(data) { quantiles(0) } }
                .message shouldBe "dashboard.quantiles.bands must be > 0, was 0"
            shouldThrow<InvalidSettingException> { model.dashboard(data) { names(32 to "x") } }
                .message shouldBe "dashboard.names concept must be in 0..31, was 32"
            shouldThrow<InvalidSettingException> { model.dashboard(data) { imageShape(3, 5) } }
                .message shouldBe
                "dashboard.imageShape must be 12 pixels, the SAE's input width, was \"3x5\""
            shouldThrow<InvalidSettingException> { model.dashboard(data) { denseThreshold = 1.5 } }
                .message shouldContain "dashboard.denseThreshold"
            val wide = matrix(SeededRandom(5).normal(DType.FLOAT32, 1.0, 10, 13))
            shouldThrow<InvalidSettingException> { model.dashboard(wide) }.message shouldContain
                "dashboard data's width must be the SAE's input width 12"
            shouldThrow<InvalidSettingException> { model.conceptPage(data, 32) }.message shouldBe
                "conceptPage.concept must be in 0..31, was 32"
        }

        test("a harvest's rows are shown as tokens of their documents, the first shard alone too") {
            val out = tempdir().toPath().resolve("h").toString()
            val harvest =
                minilm().use { m ->
                    harvest(m, out) {
                        tap("residual:2")
                        tokens = 300
                        rowsPerShard = 128
                        progress = false
                    }
                }
            val textModel = sae {
                input(384)
                concepts(48)
                seed = 3
                topK(4)
            }
            val vocabulary = harvest.tokens().use { it.vocabulary().toSet() }
            val d = textModel.dashboard(harvest) { window = 4 }
            d.kind() shouldBe RowContexts.Kind.TOKENS
            d.statistics().rows() shouldBe 300
            val alive = (0 until 48).filter { !d.dead(it) }
            alive.shouldNotBeEmpty()
            for (c in alive) {
                val tokens = d.tokens(c)
                tokens.shouldNotBeEmpty()
                // pieces are shown without their `##`
                tokens.forEach { t -> (t in vocabulary || "##$t" in vocabulary) shouldBe true }
            }
            val c = alive.first()
            // the page shows each context's tokens, the peak marked; its text is one of the tokens
            val page = Jsoup.parse(d.conceptPage(c).html())
            val peaks = page.select(".tok.peak").map { it.text() }
            peaks.shouldNotBeEmpty()
            d.tokens(c) shouldContain peaks.first()
            page.text() shouldContain "document "
            // shards end at a document's end: the first holds at most 128 rows
            val shard = harvest.data(shards = 1)
            (shard.rows() in 1L..128L) shouldBe true
            textModel.dashboard(harvest, shard).statistics().rows() shouldBe shard.rows()
            shouldThrow<InvalidSettingException> {
                    textModel.dashboard(
                        harvest,
                        matrix(SeededRandom(6).normal(DType.FLOAT32, 1.0, 301, 384)),
                    )
                }
                .message shouldContain "dashboard data must be the harvest's rows in order, all 300"
        }
    })
