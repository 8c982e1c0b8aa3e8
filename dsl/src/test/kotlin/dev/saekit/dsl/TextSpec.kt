package dev.saekit.dsl

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files
import java.nio.file.Path

class TextSpec :
    FunSpec({
        val dir: Path = Files.createTempDirectory("saekit-dsl-text")
        afterSpec { dir.toFile().deleteRecursively() }

        test(
            "a harvest is a data set row for row with its token table, and a second call takes it as it is"
        ) {
            val out = dir.resolve("h").toString()
            val first =
                minilm().use { model ->
                    harvest(model, out) {
                        tap("residual:2")
                        tap("mlp_out:2")
                        tokens = 300
                        progress = false
                    }
                }
            first.rows shouldBe 300
            first.taps shouldBe listOf("residual:2", "mlp_out:2")
            val data = first.data("residual:2")
            data.rows() shouldBe 300
            data.cols() shouldBe 384
            // the same rows as the ActivationManifest reader gives, in the same order
            val viaManifest = activations(out, "residual:2")
            data.batchesInOrder(300).first() shouldBeIdenticalTo
                viaManifest.batchesInOrder(300).first()
            first.tokens().use { table ->
                table.rows() shouldBe 300
                val t = table.inContext(0)
                t.document().text() shouldContain t.document().text().substring(t.start(), t.end())
            }
            val shard = Files.readAllBytes(dir.resolve("h/residual_2/shard-00000.npy"))
            val again =
                minilm().use { model ->
                    harvest(model, out) {
                        tap("residual:2")
                        tap("mlp_out:2")
                        tokens = 300
                        progress = false
                    }
                }
            again.rows shouldBe 300
            again.result!!.newRows() shouldBe 0
            Files.readAllBytes(dir.resolve("h/residual_2/shard-00000.npy")) shouldBe shard
        }

        test(
            "a harvest with other settings, a data() of several taps and a negative budget are refused"
        ) {
            val out = dir.resolve("h2").toString()
            minilm().use { model ->
                harvest(model, out) {
                    tokens = 50
                    progress = false
                }
            }
            minilm().use { model ->
                shouldThrow<IllegalArgumentException> {
                        harvest(model, out) {
                            tokens = 60
                            progress = false
                        }
                    }
                    .message shouldContain "token_budget: 50 in harvest.json, 60 asked for"
                shouldThrow<InvalidSettingException> {
                        harvest(model, dir.resolve("h3").toString()) { tokens = -1 }
                    }
                    .message shouldContain "harvest.tokens"
            }
            val h = Harvest.open(out)
            h.data().rows() shouldBe 50
        }
    })
