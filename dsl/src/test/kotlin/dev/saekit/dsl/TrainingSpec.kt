package dev.saekit.dsl

import dev.saekit.model.SparseAutoencoder
import dev.saekit.train.AuxKLoss
import dev.saekit.train.EpochSummary
import dev.saekit.train.Losses
import dev.saekit.train.MatryoshkaLoss
import dev.saekit.train.OptimizerConfig
import dev.saekit.train.Schedule
import dev.saekit.train.TrainingConfig
import dev.saekit.train.TrainingDivergedException
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThanOrEqual
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import java.nio.file.Files
import org.nd4j.linalg.ops.transforms.Transforms.abs

class TrainingSpec :
    FunSpec({
        val data =
            Fixtures.sparseDictionary(rows = 512, width = 16, atoms = 24, active = 3, seed = 1)

        fun weights(model: SparseAutoencoder) =
            model.parameters().map { it.name() to it.value().dup() }

        test(
            "a TopK model learns data from a sparse dictionary and the run reports metrics over every row"
        ) {
            val model = sae {
                input(16)
                concepts(48)
                seed = 3
                topK(3)
            }
            val summaries = mutableListOf<EpochSummary>()
            var steps = 0
            val run =
                train(model, data) {
                    epochs = 25
                    batchSize = 64
                    optimizer = adam(lr = 5e-3)
                    schedule = cosine(warmup = 0.1)
                    onStep { steps++ }
                    onEpoch { summaries += it }
                }
            run.completed shouldBe true
            run.steps shouldBe 25L * 8
            steps shouldBe 200
            summaries.size shouldBe 25
            run.history.epochs().size shouldBe 25
            run.metrics.rows() shouldBe 512L
            run.metrics.r2() shouldBeGreaterThan 0.6
            run.history.epochs().last().r2() shouldBeGreaterThan
                run.history.epochs().first().r2() + 0.2
            run.metrics.l0() shouldBe 3.0 // three kept codes per row, counted: exact
            run.metrics shouldBe evaluate(model, data, batchSize = 64)
            run.toString() shouldContain "COMPLETED, 200 steps"
        }

        test("the block's settings are the engine's TrainingConfig") {
            val model = sae {
                input(16)
                concepts(32)
                topK(2)
            }
            val config =
                trainingConfig(model) {
                    epochs = 3
                    batchSize = 128
                    clip = 0.0
                    seed = 5
                    shuffle = false
                    optimizer = adamW(lr = 1e-3, weightDecay = 0.1)
                    schedule = linear(warmup = 0.2, endFactor = 0.5)
                    loss = mse + 0.5 * l1(1e-3)
                }
            config.epochs() shouldBe 3
            config.batchSize() shouldBe 128
            config.clipNorm() shouldBe 0.0
            config.seed() shouldBe 5L
            config.shuffle() shouldBe false
            config.optimizer() shouldBe OptimizerConfig.adamW(1e-3, 0.1)
            config.schedule() shouldBe Schedule.linearDecay(0.2, 0.5)
            config.loss().toString() shouldBe "mse + 0.5 * l1(lambda=0.001)"
            trainingConfig(model).loss() shouldBe Losses.mse()
            trainingConfig(model) shouldBe TrainingConfig.builder().loss(Losses.mse()).build()
            val nested = sae {
                input(16)
                concepts(32)
                matryoshka(2)
            }
            trainingConfig(nested).loss().shouldBeInstanceOf<MatryoshkaLoss>()
        }

        test("AuxK's dead-code tracker runs without being registered") {
            val model = sae {
                input(16)
                concepts(64)
                topK(2)
            }
            val aux = AuxKLoss(0, 1.0 / 32)
            train(model, data) {
                epochs = 1
                batchSize = 128
                loss = mse + aux
            }
            aux.tracker().deadMask().size shouldBe 64
        }

        test(
            "a run that diverges stops with an error naming the step, or returns the stopped run when asked"
        ) {
            fun blowUp() = sae {
                input(16)
                concepts(32)
                seed = 1
                vanilla()
            }
            val e =
                shouldThrow<TrainingDivergedException> {
                    train(blowUp(), data) {
                        epochs = 3
                        batchSize = 64
                        optimizer = adam(lr = 1e30)
                        clip = 0.0
                    }
                }
            e.step() shouldBeGreaterThan 0L
            val run =
                train(blowUp(), data) {
                    epochs = 3
                    batchSize = 64
                    optimizer = adam(lr = 1e30)
                    clip = 0.0
                    failOnDivergence = false
                }
            run.completed shouldBe false
            run.result.message() shouldContain "step"
        }

        test("data of another width is refused before training, naming both widths") {
            val model = sae {
                input(8)
                concepts(16)
                topK(2)
            }
            shouldThrow<InvalidSettingException> { train(model, data) }.message shouldBe
                "data width must be the model's input=8 (sparse dictionary), was 16"
        }

        test("saved models, checkpoints and exports load back with the same weights") {
            val dir = Files.createTempDirectory("saekit-dsl-save")
            try {
                val model = sae {
                    input(16)
                    concepts(32)
                    seed = 2
                    topK(3)
                }
                train(model, data) {
                    epochs = 2
                    batchSize = 128
                    checkpoints(dir.resolve("ckpt"), every = 3)
                }
                weights(loadSae(dir.resolve("ckpt"))) shouldBeIdenticalTo weights(model)
                model.save(dir.resolve("model"))
                weights(loadSae(dir.resolve("model"))) shouldBeIdenticalTo weights(model)
                loadSae(dir.resolve("model")).eval().toString() shouldBe model.eval().toString()

                model.saveSaeLens(dir.resolve("saelens"))
                val lens = loadSaeLens(dir.resolve("saelens"))
                val x = data.matrix().getRows(0, 1, 2, 3)
                // the same weights in SAELens' layout (W_enc transposed): the same sums of 16
                // inputs, then of
                // the 3 kept codes, maybe in other orders; a pre-code's rounding reaches x_hat
                // through D
                val expected = model.eval().forward(x)
                val d = model.getDictionary()
                val w = model.encoder().parameters()[0].value()
                val pre =
                    tolerance(
                        model.dtype(),
                        abs(x).mmul(abs(w).transpose()).maxNumber().toDouble() +
                            model.encoder().parameters()[1].value().amaxNumber().toDouble(),
                        2 * 17,
                    )
                val allowed =
                    tolerance(
                        model.dtype(),
                        abs(expected.codes()).mmul(abs(d)).maxNumber().toDouble(),
                        2 * 3,
                    ) + pre * abs(d).sum(0).maxNumber().toDouble()
                maxDifference(
                    lens.eval().forward(x).reconstruction(),
                    expected.reconstruction(),
                ) shouldBeLessThanOrEqual allowed

                model.saveOvercomplete(dir.resolve("sae.safetensors"))
                weights(
                    loadOvercomplete(dir.resolve("sae.safetensors"), model.spec())
                ) shouldBeIdenticalTo weights(model)
            } finally {
                dir.toFile().deleteRecursively()
            }
        }

        test("a normalised, resampled, warmed-up run returns a model that takes the raw rows") {
            val model = sae {
                input(16)
                concepts(32)
                seed = 5
                vanilla()
            }
            val run =
                train(model, data) {
                    epochs = 2
                    batchSize = 64
                    normalization = unitNorm()
                    resampling = resample(every = 4, until = 12)
                    l1Warmup = 6
                }
            val config = run.config
            config.sparsityWarmupSteps() shouldBe 6L
            config.resampling()!!.every() shouldBe 4L
            val s = config.normalization().factor()
            s shouldBeGreaterThan 0.0
            // the folded model takes raw rows: its float32 multiplier holds -ln(s) rounded to float
            model.parameter("dictionary.multiplier").get().value().getDouble(0) shouldBe
                (-Math.log(s)).toFloat().toDouble()
        }

        test("k annealing on a model without k is refused, naming what to do") {
            val model = sae {
                input(16)
                concepts(32)
                vanilla()
            }
            val e =
                shouldThrow<IllegalArgumentException> {
                    train(model, data) {
                        epochs = 1
                        batchSize = 64
                        kAnnealing = annealK(start = 16, steps = 4)
                    }
                }
            e.message shouldContain "keep the k largest"
            shouldThrow<IllegalArgumentException> {
                trainingConfig(model) { resampling = resample(every = 0) }
            }
        }
    })
