package dev.saekit.dsl

import dev.saekit.dictionary.Normalization
import dev.saekit.dictionary.RelaxedArchetypalDictionary
import dev.saekit.encoder.EncoderKind
import dev.saekit.io.ModelSpecJson
import dev.saekit.model.BatchTopKSae
import dev.saekit.model.BatchTopKSpec
import dev.saekit.model.JumpKernel
import dev.saekit.model.JumpReluSpec
import dev.saekit.model.MatryoshkaSae
import dev.saekit.model.ModelSpec
import dev.saekit.model.MpSpec
import dev.saekit.model.MsaeSpec
import dev.saekit.model.OmpSpec
import dev.saekit.model.PrefixMatryoshkaSae
import dev.saekit.model.PrefixMatryoshkaSpec
import dev.saekit.model.TopKSae
import dev.saekit.model.TopKSpec
import dev.saekit.model.VanillaSpec
import dev.saekit.tensor.DType
import dev.saekit.tensor.SeededRandom
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import io.kotest.matchers.types.shouldBeInstanceOf

class SaeBuilderSpec :
    FunSpec({
        test("the issue's one-liner builds the engine's BatchTopK model and names it") {
            val model = sae {
                input(768)
                concepts(10_000)
                batchTopK(50)
            }
            model.shouldBeInstanceOf<BatchTopKSae>()
            model.inputDim() shouldBe 768
            model.nbConcepts() shouldBe 10_000
            model.toString() shouldBe
                "BatchTopKSae[variant=batchtopk, input=768, concepts=10000, encoder=linear, " +
                    "dictionary=l2, k=50 per sample, momentum=0.9, float32, train]"
        }

        test("every variant is one function whose options reach the engine's spec") {
            fun spec(block: SaeBuilder.() -> Sparsity) = saeSpec(block).variant()
            spec {
                input(4)
                concepts(8)
                vanilla()
            } shouldBe VanillaSpec()
            spec {
                input(4)
                concepts(8)
                topK(3)
            } shouldBe TopKSpec(3)
            spec {
                input(4)
                concepts(8)
                batchTopK(64, per = KPer.BATCH, momentum = 0.5)
            } shouldBe BatchTopKSpec(BatchTopKSae.BatchK.PerBatch(64), 0.5)
            spec {
                input(4)
                concepts(8)
                jumpRelu(JumpKernel.GAUSSIAN, bandwidth = 0.5)
            } shouldBe JumpReluSpec(JumpKernel.GAUSSIAN, 0.5f)
            spec {
                input(4)
                concepts(8)
                matchingPursuit(3, dropout = 0.25)
            } shouldBe MpSpec(3, 0.25)
            spec {
                input(4)
                concepts(8)
                orthogonalMatchingPursuit(2, maxIter = 7)
            } shouldBe OmpSpec(2, 7, null)
            spec {
                input(4)
                concepts(8)
                msae(listOf(4, 2), softCap = 0.0)
            } shouldBe MsaeSpec(listOf(2, 4), 0.0)
            spec {
                input(4)
                concepts(64)
                matryoshka(3)
            } shouldBe PrefixMatryoshkaSpec(listOf(4, 16), BatchTopKSae.BatchK.PerSample(3), 0.9)
            sae {
                    input(4)
                    concepts(8)
                    msae(listOf(2, 4))
                }
                .shouldBeInstanceOf<MatryoshkaSae>()
            sae {
                    input(4)
                    concepts(64)
                    matryoshka(3, prefixes = listOf(8))
                }
                .shouldBeInstanceOf<PrefixMatryoshkaSae>()
        }

        test("shape, dtype, seed, encoder and dictionary settings land in the engine's config") {
            val spec = saeSpec {
                input(6)
                concepts(12)
                dtype = DType.FLOAT64
                seed = 42
                encoder = mlp(layers = 3, norm = MlpNorm.BATCH)
                dictionary = standard(Normalization.MAX_L1, multiplier = true)
                topK(2)
            }
            spec.sae().inputDim() shouldBe 6
            spec.sae().dtype() shouldBe DType.FLOAT64
            spec.sae().seed() shouldBe 42L
            spec.sae().encoder() shouldBe EncoderKind.MLP_BN_3
            spec.sae().dictionary().normalization() shouldBe Normalization.MAX_L1
            spec.sae().dictionary().useMultiplier() shouldBe true
            saeSpec {
                    input(6)
                    concepts(12)
                    encoder = tied(bias = false)
                    vanilla()
                }
                .encoder() shouldBe ModelSpec.EncoderSpec.Tied(false)
            saeSpec {
                    input(6)
                    concepts(12)
                    encoder = untied()
                    vanilla()
                }
                .encoder() shouldBe ModelSpec.EncoderSpec.Untied(true)
            val lens = saeSpec {
                input(6)
                concepts(12)
                encoder = saeLens()
                topK(2)
            }
            lens.encoder() shouldBe ModelSpec.EncoderSpec.SaeLens(true)
            lens.dictionary() shouldBe ModelSpec.DictionarySpec.Plain()
        }

        test("the same block builds bit-identical weights; another seed does not") {
            fun model(seed: Long) = sae {
                input(5)
                concepts(9)
                this.seed = seed
                topK(2)
            }
            val a = model(1).parameters().map { it.name() to it.value() }
            val b = model(1).parameters().map { it.name() to it.value() }
            val c = model(2).parameters().map { it.name() to it.value() }
            a shouldBeIdenticalTo b
            a.zip(c).any { (x, y) -> !identical(x.second, y.second) } shouldBe true
        }

        test(
            "an archetypal dictionary starts from the given points or from k-means centroids of the data"
        ) {
            val points = SeededRandom(3).normal(DType.FLOAT32, 1.0, 10, 4)
            val fromPoints = sae {
                input(4)
                concepts(8)
                dictionary = archetypal(points, delta = 0.5)
                topK(2)
            }
            fromPoints
                .parameter(RelaxedArchetypalDictionary.POINTS)
                .get()
                .value() shouldBeIdenticalTo points
            fromPoints.spec().dictionary() shouldBe
                ModelSpec.DictionarySpec.Archetypal(10, 0.5, true)

            val data = matrix(SeededRandom(4).normal(DType.FLOAT32, 1.0, 50, 4))
            val fromData = sae {
                input(4)
                concepts(8)
                seed = 9
                dictionary = archetypal(kMeans(data, count = 12, maxRows = 30))
                topK(2)
            }
            val expected = dev.saekit.dictionary.KMeans.fit(data, 12, 30, 20, 9)
            fromData.parameter(RelaxedArchetypalDictionary.POINTS).get().value() shouldBeIdenticalTo
                expected
        }

        test("a block without input or concepts names the missing call") {
            shouldThrow<MissingSettingException> {
                    sae {
                        concepts(8)
                        topK(2)
                    }
                }
                .message shouldBe "input is required: call input(width) in sae { }"
            shouldThrow<MissingSettingException> {
                    sae {
                        input(8)
                        topK(2)
                    }
                }
                .message shouldBe "concepts is required: call concepts(count) in sae { }"
        }

        test("values out of range fail when the block ends, naming field, value and range") {
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        topK(9)
                    }
                }
                .message shouldBe "topK.k must be in 1..8 (the number of concepts), was 9"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(0)
                        concepts(8)
                        topK(1)
                    }
                }
                .message shouldBe "input must be > 0, was 0"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        batchTopK(2, momentum = 1.0)
                    }
                }
                .message shouldBe "batchTopK.momentum must be in [0, 1), was 1.0"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        msae(listOf(4, 4))
                    }
                }
                .message shouldBe
                "msae.nesting must be distinct k values (each level needs its own), was [4, 4]"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        encoder = mlp(layers = 2)
                        vanilla()
                    }
                }
                .message shouldBe "mlp.layers must be 1 or 3, was 2"
            val points = SeededRandom(3).normal(DType.FLOAT32, 1.0, 5, 4)
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        dictionary = archetypal(points)
                        vanilla()
                    }
                }
                .message shouldBe "archetypal points must be >= concepts=8 (one per atom), was 5"
        }

        test("settings that a variant ignores are refused instead of dropped") {
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        encoder = tied()
                        matchingPursuit(2)
                    }
                }
                .message shouldStartWith "encoder must be left unset for matchingPursuit"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        encoder = mlp()
                        msae()
                    }
                }
                .message shouldStartWith "encoder must be left unset for msae"
            shouldThrow<InvalidSettingException> {
                    sae {
                        input(4)
                        concepts(8)
                        encoder = saeLens()
                        dictionary = standard(Normalization.L1)
                        topK(2)
                    }
                }
                .message shouldStartWith "dictionary must be left unset with the saeLens layout"
        }

        test("a second sparsity choice is an error that names both") {
            val e =
                shouldThrow<IllegalArgumentException> {
                    sae {
                        input(4)
                        concepts(8)
                        topK(3)
                        batchTopK(2)
                    }
                }
            e.message shouldContain "sparsity is chosen 2 times (topK, batchTopK)"
        }

        test("a built model's spec survives the engine's JSON and builds the same shape") {
            val model = sae {
                input(5)
                concepts(10)
                dtype = DType.FLOAT64
                encoder = untied(bias = false)
                jumpRelu()
            }
            val json = ModelSpecJson.toJson(model.spec())
            val back = ModelSpecJson.fromJson(json)
            back shouldBe model.spec()
            back.build().spec() shouldBe model.spec()
            back.build().spec().variant().name() shouldBe JumpReluSpec.KIND.name()
            model.shouldBeInstanceOf<dev.saekit.model.JumpSae>()
            sae {
                    input(5)
                    concepts(10)
                    topK(2)
                }
                .shouldBeInstanceOf<TopKSae>()
        }
    })
