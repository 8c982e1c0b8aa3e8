package dev.saekit.dsl

import dev.saekit.io.Checkpoints
import dev.saekit.io.TrainingConfigJson
import dev.saekit.tensor.DType
import dev.saekit.tensor.SeededRandom
import dev.saekit.train.AuxKLoss
import dev.saekit.train.listeners.DeadCodeTracker
import dev.saekit.train.listeners.MetricHistory
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files

class ResumeSpec :
    FunSpec({
        val data =
            matrix(SeededRandom(7).normal(DType.FLOAT64, 1.0, 70, 6), description = "random rows")

        fun model() = sae {
            input(6)
            concepts(24)
            seed = 8
            dtype = DType.FLOAT64
            topK(2)
        }

        fun TrainingBuilder.setup() {
            epochs = 3
            batchSize = 16
            seed = 5
            optimizer = adamW(lr = 3e-2)
            schedule = cosine(warmup = 0.2, minFactor = 0.1)
            loss =
                mse +
                    auxK(kAux = 3, coefficient = 0.5, window = 3, flavor = AuxKLoss.Flavor.SAELENS)
        }

        fun losses(history: MetricHistory) = history.steps().map { it.loss() }

        test(
            "a run resumed from a DSL checkpoint ends bit for bit where the uninterrupted run ends, AuxK's state and all"
        ) {
            val dir = Files.createTempDirectory("resume-spec")
            val whole =
                train(model(), data) {
                    setup()
                    checkpoints(dir.resolve("whole"), every = 1, keep = 20)
                }

            val step7 = dir.resolve("whole").resolve("step-000000007")
            val saved = Checkpoints.load(step7)
            saved.listenerStates().keys shouldContain DeadCodeTracker.AUXK_STATE
            TrainingConfigJson.toJson(saved.trainingConfig()) shouldBe
                TrainingConfigJson.toJson(whole.config)

            val resumed =
                resume(step7, data) { checkpoints(dir.resolve("resumed"), every = 1, keep = 20) }
            resumed.steps shouldBe 8L
            losses(resumed.history) shouldBe losses(whole.history).drop(7)
            resumed.config.loss().spec() shouldBe whole.config.loss().spec()

            val a = Checkpoints.load(dir.resolve("whole"))
            val b = Checkpoints.load(dir.resolve("resumed"))
            b.progress() shouldBe a.progress()
            b.runId() shouldBe saved.runId()
            for (p in a.model().parameters()) {
                val q = b.model().parameter(p.name()).orElseThrow()
                q.value().dup().data().asDouble().toList() shouldBe
                    p.value().dup().data().asDouble().toList()
                val ma = a.optimizer()[p.name()]
                val mb = b.optimizer()[p.name()]
                if (ma != null && mb != null) {
                    mb.step() shouldBe ma.step()
                    mb.expAvg().dup().data().asDouble().toList() shouldBe
                        ma.expAvg().dup().data().asDouble().toList()
                    mb.expAvgSq().dup().data().asDouble().toList() shouldBe
                        ma.expAvgSq().dup().data().asDouble().toList()
                } else {
                    (ma == null && mb == null) shouldBe true
                }
            }
            a.listenerStates().keys shouldBe b.listenerStates().keys
        }

        test("resume refuses rows of another shape, naming both") {
            val dir = Files.createTempDirectory("resume-spec")
            train(model(), data) {
                setup()
                checkpoints(dir, every = 5)
            }
            val other =
                matrix(
                    SeededRandom(1).normal(DType.FLOAT64, 1.0, 40, 6),
                    description = "other rows",
                )
            val e =
                shouldThrow<IllegalArgumentException> {
                    resume(dir.resolve("step-000000005"), other)
                }
            e.message shouldContain "70 rows x 6"
            e.message shouldContain "40 x 6"
        }
    })
