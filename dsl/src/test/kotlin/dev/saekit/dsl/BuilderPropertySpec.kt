package dev.saekit.dsl

import dev.saekit.dictionary.Normalization
import dev.saekit.io.ModelSpecJson
import dev.saekit.model.JumpKernel
import dev.saekit.tensor.DType
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import io.kotest.property.Arb
import io.kotest.property.arbitrary.bind
import io.kotest.property.arbitrary.boolean
import io.kotest.property.arbitrary.choice
import io.kotest.property.arbitrary.double
import io.kotest.property.arbitrary.element
import io.kotest.property.arbitrary.enum
import io.kotest.property.arbitrary.flatMap
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.long
import io.kotest.property.arbitrary.map
import io.kotest.property.arbitrary.orNull
import io.kotest.property.checkAll

/** A valid `sae { }` block as data: shape, settings and one variant with in-range options. */
private data class Recipe(
    val input: Int,
    val concepts: Int,
    val dtype: DType,
    val seed: Long,
    val normalization: Normalization,
    val multiplier: Boolean,
    val variant: Int,
    val k: Int,
    val fraction: Double,
    val bandwidth: Double,
    val kernel: JumpKernel,
    val dropout: Double?,
    val per: KPer,
    val tied: Boolean?,
) {
    fun sparsity(b: SaeBuilder): Sparsity =
        when (variant) {
            0 -> b.vanilla()
            1 -> b.topK(k)
            2 -> b.batchTopK(k, per, momentum = fraction)
            3 -> b.jumpRelu(kernel, bandwidth)
            4 -> b.matchingPursuit(k, dropout)
            5 -> b.orthogonalMatchingPursuit(k, maxIter = k + 2, dropout = dropout)
            6 ->
                b.msae(
                    (if (k < concepts) listOf(concepts) else emptyList<Int>()) + k,
                    softCap = bandwidth,
                )
            else ->
                b.matryoshka(
                    k,
                    prefixes = listOf(maxOf(1, concepts / 2)),
                    per = per,
                    momentum = fraction,
                )
        }

    /** Encoders and dictionaries only where the variant uses them. */
    fun apply(b: SaeBuilder) {
        b.input(input)
        b.concepts(concepts)
        b.dtype = dtype
        b.seed = seed
        if (variant != 6) {
            b.dictionary = b.standard(normalization, multiplier)
        }
        if (tied != null && variant !in 4..6) {
            b.encoder = if (tied) b.tied(bias = multiplier) else b.untied(bias = multiplier)
        }
    }
}

private val recipes: Arb<Recipe> =
    Arb.bind(Arb.int(1..24), Arb.int(1..48), Arb.int(0..7)) { i, c, v -> Triple(i, c, v) }
        .flatMap { (input, concepts, variant) ->
            Arb.bind(
                Arb.element(DType.FLOAT32, DType.FLOAT64),
                Arb.long(),
                Arb.enum<Normalization>(),
                Arb.boolean(),
                Arb.int(1..concepts),
                Arb.double(0.0, 0.999),
                Arb.double(1e-4, 10.0),
                Arb.enum<JumpKernel>(),
                Arb.double(0.0, 0.9).orNull(),
                Arb.enum<KPer>(),
                Arb.boolean().orNull(),
            ) { dtype, seed, norm, mult, k, fraction, bandwidth, kernel, dropout, per, tied ->
                Recipe(
                    input,
                    concepts,
                    dtype,
                    seed,
                    norm,
                    mult,
                    variant,
                    k,
                    fraction,
                    bandwidth,
                    kernel,
                    dropout,
                    per,
                    tied,
                )
            }
        }

/**
 * A block with one bad value, the field its error must name, and the bad value as the message shows
 * it.
 */
private data class Bad(val field: String, val value: String, val block: SaeBuilder.() -> Sparsity)

private val badValues: Arb<Bad> =
    Arb.choice(
        Arb.int(-5..0).map { v ->
            Bad("input", "$v") {
                input(v)
                concepts(4)
                vanilla()
            }
        },
        Arb.int(-5..0).map { v ->
            Bad("concepts", "$v") {
                input(4)
                concepts(v)
                vanilla()
            }
        },
        Arb.choice(Arb.int(-3..0), Arb.int(9..40)).map { v ->
            Bad("topK.k", "$v") {
                input(4)
                concepts(8)
                topK(v)
            }
        },
        Arb.choice(Arb.int(-3..0), Arb.int(9..40)).map { v ->
            Bad("batchTopK.k", "$v") {
                input(4)
                concepts(8)
                batchTopK(v)
            }
        },
        Arb.int(-3..0).map { v ->
            Bad("batchTopK.k", "$v") {
                input(4)
                concepts(8)
                batchTopK(v, per = KPer.BATCH)
            }
        },
        Arb.choice(Arb.double(-2.0, -1e-9), Arb.double(1.0, 5.0)).map { v ->
            Bad("batchTopK.momentum", "$v") {
                input(4)
                concepts(8)
                batchTopK(2, momentum = v)
            }
        },
        Arb.double(-1.0, 0.0).map { v ->
            Bad("jumpRelu.bandwidth", "$v") {
                input(4)
                concepts(8)
                jumpRelu(bandwidth = v)
            }
        },
        Arb.element(Double.NaN, Double.POSITIVE_INFINITY).map { v ->
            Bad("jumpRelu.bandwidth", "$v") {
                input(4)
                concepts(8)
                jumpRelu(bandwidth = v)
            }
        },
        Arb.int(-3..0).map { v ->
            Bad("matchingPursuit.k", "$v") {
                input(4)
                concepts(8)
                matchingPursuit(v)
            }
        },
        Arb.double(1.0, 3.0).map { v ->
            Bad("matchingPursuit.dropout", "$v") {
                input(4)
                concepts(8)
                matchingPursuit(2, v)
            }
        },
        Arb.int(-3..0).map { v ->
            Bad("orthogonalMatchingPursuit.maxIter", "$v") {
                input(4)
                concepts(8)
                orthogonalMatchingPursuit(2, maxIter = v)
            }
        },
        Arb.double(-9.0, -1e-9).map { v ->
            Bad("msae.softCap", "$v") {
                input(4)
                concepts(8)
                msae(listOf(2), softCap = v)
            }
        },
        Arb.int(9..20).map { v ->
            Bad("msae.nesting", "[2, $v]") {
                input(4)
                concepts(8)
                msae(listOf(2, v))
            }
        },
        Arb.int(9..20).map { v ->
            Bad("matryoshka.prefixes", "[$v]") {
                input(4)
                concepts(8)
                matryoshka(2, prefixes = listOf(v))
            }
        },
        Arb.int(-3..0).map { v ->
            Bad("mlp.layers", "$v") {
                input(4)
                concepts(8)
                encoder = mlp(layers = v)
                vanilla()
            }
        },
    )

class BuilderPropertySpec :
    FunSpec({
        test(
            "any valid block round-trips through the engine's spec, its JSON and a rebuilt model"
        ) {
            checkAll(200, recipes) { r ->
                val spec = saeSpec {
                    r.apply(this)
                    r.sparsity(this)
                }
                ModelSpecJson.fromJson(ModelSpecJson.toJson(spec)) shouldBe spec
                val model = sae {
                    r.apply(this)
                    r.sparsity(this)
                }
                model.spec() shouldBe spec
                spec.build().spec() shouldBe spec
                model.inputDim() shouldBe r.input
                model.nbConcepts() shouldBe r.concepts
            }
        }

        test("any invalid value fails with an error that names the field and the value") {
            checkAll(300, badValues) { bad ->
                val e = shouldThrow<InvalidSettingException> { sae(bad.block) }
                e.field shouldBe bad.field
                e.message shouldStartWith "${bad.field} must be "
                e.message!!.substringAfterLast(", was ") shouldBe bad.value
            }
        }

        test("training settings out of range fail naming the field, whatever the value") {
            val model = sae {
                input(4)
                concepts(8)
                topK(2)
            }
            checkAll(100, Arb.int(-1000..0), Arb.double(-10.0, 0.0)) { n, x ->
                shouldThrow<InvalidSettingException> { trainingConfig(model) { epochs = n } }
                    .field shouldBe "epochs"
                shouldThrow<InvalidSettingException> { trainingConfig(model) { batchSize = n } }
                    .field shouldBe "batchSize"
                shouldThrow<InvalidSettingException> {
                        trainingConfig(model) { optimizer = adam(lr = x) }
                    }
                    .field shouldBe "adam.lr"
                shouldThrow<InvalidSettingException> {
                        trainingConfig(model) {
                            optimizer = adamW(lr = 1e-3, weightDecay = x - 1e-9)
                        }
                    }
                    .field shouldBe "adamW.weightDecay"
                shouldThrow<InvalidSettingException> { trainingConfig(model) { clip = x - 1e-9 } }
                    .field shouldBe "clip"
                shouldThrow<InvalidSettingException> {
                        trainingConfig(model) { schedule = cosine(warmup = 1.0 - x) }
                    }
                    .field shouldBe "cosine.warmup"
                shouldThrow<InvalidSettingException> {
                        trainingConfig(model) { loss = mse + l1(x - 1e-9) }
                    }
                    .field shouldBe "l1.lambda"
            }
        }
    })
