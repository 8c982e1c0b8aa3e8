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
            shards(out, name = "mlp_out:2").rows() shouldBe 300
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
            h.data(shards = 1).rows() shouldBe 50
            shouldThrow<InvalidSettingException> { h.data(shards = 0) }.message shouldContain
                "harvest.data.shards"
        }

        test(
            "an SAE trained on a harvest is measured inside the model, alone and as a sweep's downstream columns"
        ) {
            val out = dir.resolve("h4").toString()
            minilm().use { model ->
                val h =
                    harvest(model, out) {
                        tokens = 1_500
                        progress = false
                    }
                val raw = h.data()
                val mean = raw.meanRow()
                val pre = dev.saekit.sweep.Preprocessing(mean, 1.0)
                val sae = sae {
                    input(384)
                    concepts(256)
                    seed = 3
                    topK(16)
                }
                train(sae, raw.centred(mean)) {
                    epochs = 3
                    batchSize = 256
                }
                val docs = documents(count = 12, exclude = h)
                docs.size shouldBe 12
                val report = sae.evaluateInModel(model, "residual:3", docs, pre)
                report.sequences() shouldBe 12
                (report.fractionRecovered() > 0.0 && report.fractionRecovered() <= 1.0) shouldBe
                    true
                (report.spliceCosine() > report.zeroCosine()) shouldBe true
                (report.l0() > 0.0 && report.l0() <= 16.0) shouldBe true
                val swept =
                    sweep(raw.centred(mean), dir.resolve("sweep")) {
                        concepts = 256
                        epochs = 1
                        batchSize = 256
                        preprocessing = pre
                        topK(8, 16)
                        downstream(inModelFidelity(model, "residual:3", docs))
                    }
                swept.downstreamColumns() shouldBe
                    listOf(
                        "cosine_splice",
                        "fraction_recovered",
                        "fraction_recovered_over_mean",
                        "l2_ratio",
                    )
                swept.rows().forEach { (it.value("fraction_recovered") in 0.0..1.0) shouldBe true }
                // the second cell reused the first's clean and ablated runs: its columns are those
                // of
                // a fresh evaluation of its SAE, up to ONNX Runtime's threads summing in another
                // order
                // (a few float32 roundings of a 384-wide cosine)
                val tolerance = 4 * 384 * Math.ulp(1f).toDouble()
                swept.rows().forEach { row ->
                    val cellSae = loadSae(swept.cellDirectory(row.cell()))
                    val fresh = cellSae.evaluateInModel(model, "residual:3", docs, pre)
                    (kotlin.math.abs(fresh.fractionRecovered() - row.value("fraction_recovered")) <=
                        tolerance) shouldBe true
                    (kotlin.math.abs(fresh.spliceCosine() - row.value("cosine_splice")) <=
                        tolerance) shouldBe true
                }
            }
        }
    })
