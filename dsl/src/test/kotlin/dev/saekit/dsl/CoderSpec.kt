package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.model.CodeNormalization
import dev.saekit.model.CoderSpec
import dev.saekit.model.ModelSpec
import dev.saekit.tensor.DType
import dev.saekit.tensor.SeededRandom
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.nd4j.linalg.api.buffer.DataType
import org.nd4j.linalg.api.ndarray.INDArray
import org.nd4j.linalg.factory.Nd4j

/**
 * Two activations that share sparse causes: `x = z A` and `y = z B` for codes `z` with [active] of
 * [atoms] causes per row, `A [atoms, inWidth]` and `B [atoms, outWidth]` unit rows, plus `x S` in
 * `y` when [skip] is given. A transcoder can predict `y` from `x`; a crosscoder can share one code
 * between them.
 */
private fun sharedCauses(
    rows: Int,
    inWidth: Int,
    outWidth: Int,
    atoms: Int,
    active: Int,
    seed: Long,
    skip: INDArray? = null,
): Pair<Dataset, Dataset> {
    val rng = SeededRandom(seed)
    fun unitRows(width: Int): INDArray {
        val m = rng.normal(DType.FLOAT64, 1.0, atoms.toLong(), width.toLong())
        return m.diviColumnVector(m.norm2(1).reshape(atoms.toLong(), 1))
    }
    val a = unitRows(inWidth)
    val b = unitRows(outWidth)
    val codes = Nd4j.zeros(DataType.DOUBLE, rows.toLong(), atoms.toLong())
    for (i in 0 until rows) {
        repeat(active) {
            codes.putScalar(i.toLong(), rng.nextInt(atoms).toLong(), 0.5 + rng.nextDouble())
        }
    }
    val x = codes.mmul(a)
    val y = codes.mmul(b)
    if (skip != null) y.addi(x.mmul(skip))
    return matrix(x.castTo(DataType.FLOAT), description = "x") to
        matrix(y.castTo(DataType.FLOAT), description = "y")
}

class CoderSpec :
    FunSpec({
        test("a transcoder predicts one activation from another that shares its sparse causes") {
            val (x, y) =
                sharedCauses(
                    rows = 512,
                    inWidth = 16,
                    outWidth = 8,
                    atoms = 24,
                    active = 3,
                    seed = 1,
                )
            val model = sae {
                input(16)
                concepts(48)
                transcoder(output = 8)
                seed = 2
                topK(3)
            }
            model.coder() shouldBe CoderSpec.Transcoder(8, false)
            model.rowWidth() shouldBe 24
            val run =
                train(model, sideBySide(x, y)) {
                    epochs = 25
                    batchSize = 64
                    optimizer = adam(lr = 5e-3)
                }
            run.completed shouldBe true
            // the metrics compare the prediction with y, not with x
            run.metrics.r2() shouldBeGreaterThan 0.6
            run.history.epochs().last().r2() shouldBeGreaterThan
                run.history.epochs().first().r2() + 0.2
        }

        test(
            "a skip transcoder's skip path learns the linear part of the map; sparsify's FVU trains it"
        ) {
            val skip = SeededRandom(5).normal(DType.FLOAT64, 0.3, 16, 8)
            val (x, y) =
                sharedCauses(
                    rows = 512,
                    inWidth = 16,
                    outWidth = 8,
                    atoms = 24,
                    active = 3,
                    seed = 4,
                    skip = skip,
                )
            val model = sae {
                input(16)
                concepts(48)
                transcoder(output = 8, skip = true)
                seed = 6
                topK(3)
            }
            model.skip().value().amaxNumber().toDouble() shouldBe
                0.0 // starts at zero, as sparsify's
            val run =
                train(model, sideBySide(x, y)) {
                    epochs = 25
                    batchSize = 64
                    optimizer = adam(lr = 5e-3)
                    loss = fvu
                }
            run.metrics.r2() shouldBeGreaterThan 0.6
            model.skip().value().amaxNumber().toDouble() shouldBeGreaterThan 0.05
        }

        test("a crosscoder shares one code across two layers; input is the width of one layer") {
            val (first, second) =
                sharedCauses(
                    rows = 512,
                    inWidth = 12,
                    outWidth = 12,
                    atoms = 24,
                    active = 3,
                    seed = 7,
                )
            val model = sae {
                input(12)
                concepts(48)
                crosscoder(layers = 2)
                seed = 8
                batchTopK(3)
            }
            model.inputDim() shouldBe 24
            model.coder() shouldBe CoderSpec.Crosscoder(2, CodeNormalization.CROSSCODER)
            trainingConfig(model) {}.loss().label() shouldBe
                "layer_l2" // the engine's default: no auxiliary term
            val run =
                train(model, sideBySide(first, second)) {
                    epochs = 25
                    batchSize = 64
                    optimizer = adam(lr = 5e-3)
                    loss =
                        layerL2(2) +
                            1.0 / 32 * dictionaryLearningAuxK(layers = 2, deadTokens = 2_000)
                }
            run.config.loss().label() shouldContain "auxk_dl"
            run.metrics.r2() shouldBeGreaterThan 0.6
        }

        test(
            "a ReLU crosscoder trains on the per-layer error and the decoder-weighted L1 by default"
        ) {
            val model = sae {
                input(4)
                concepts(8)
                crosscoder(layers = 3, normalization = CodeNormalization.SAE)
                vanilla()
            }
            val config = trainingConfig(model) {}
            config.loss().label() shouldContain "layer_l2"
            config.loss().label() shouldContain "weighted_l1"
            saeSpec {
                    input(4)
                    concepts(8)
                    crosscoder(layers = 3)
                    jumpRelu()
                }
                .coder() shouldBe CoderSpec.Crosscoder(3, CodeNormalization.CROSSCODER)
        }

        test("what a transcoder or crosscoder cannot take is refused in the block's words") {
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        transcoder(output = 2)
                        encoder = tied()
                        topK(2)
                    }
                }
                .message shouldContain "encoder"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        crosscoder(layers = 2)
                        msae()
                    }
                }
                .message shouldContain "msae"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        transcoder(output = 0)
                        topK(2)
                    }
                }
                .message shouldContain "transcoder.output"
            val transcoder = sae {
                input(16)
                concepts(8)
                transcoder(output = 8)
                topK(2)
            }
            val (x, _) =
                sharedCauses(rows = 16, inWidth = 16, outWidth = 8, atoms = 4, active = 1, seed = 9)
            shouldThrow<InvalidSettingException> { train(transcoder, x) {} }.message shouldContain
                "sideBySide"
        }

        test("a transcoder's spec is the SAELens layout with its skip weights") {
            val spec: ModelSpec = saeSpec {
                input(6)
                concepts(10)
                transcoder(output = 3, skip = true)
                batchTopK(2)
            }
            spec.parameterShapes().map { it.name() } shouldBe
                listOf(BATCHTOPK_THRESHOLD, "W_enc", "b_enc", "W_dec", "b_dec", ModelSpec.SKIP)
            spec.parameterShapes().first { it.name() == ModelSpec.SKIP }.shape().toList() shouldBe
                listOf(3L, 6L)
            spec.outputDim().toDouble() shouldBeLessThan spec.sae().inputDim().toDouble()
        }
    })

private const val BATCHTOPK_THRESHOLD = dev.saekit.model.BatchTopKSae.RUNNING_THRESHOLD
