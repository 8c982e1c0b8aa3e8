package dev.saekit.dsl

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import org.jetbrains.kotlin.cli.common.ExitCode

/**
 * What the compiler rejects: real snippets compiled against the DSL with the language and API
 * versions of the notebook kernel. A snippet that is valid must compile, so the rejections below
 * are the DSL's doing and not a broken set-up.
 */
class CompileTimeSpec :
    FunSpec({
        val header =
            """
        import dev.saekit.dsl.*
        import dev.saekit.data.Dataset
        import dev.saekit.model.SparseAutoencoder
    """
                .trimIndent()

        test("the examples of the README compile") {
            val ok =
                KotlinCompiler.compile(
                    header +
                        "\n" +
                        """
            fun quickStart(data: Dataset) {
                val model = sae { input(768); concepts(10_000); batchTopK(50) }
                val run = train(model, data) {
                    epochs = 20; batchSize = 1024
                    optimizer = adamW(lr = 5e-4); schedule = cosine(warmup = 0.05)
                    loss = mse + auxK() + 0.1 * topKAux()
                    onEpoch { println(it) }
                }
                println(run.metrics.r2)
            }
            fun others(data: Dataset) = listOf(
                sae { input(8); concepts(16); encoder = mlp(layers = 3, norm = MlpNorm.BATCH); vanilla() },
                sae { input(8); concepts(16); dictionary = archetypal(kMeans(data, count = 32)); topK(4) },
                sae { input(8); concepts(16); jumpRelu(bandwidth = 0.01) },
                sae { input(8); concepts(16); msae(nesting = listOf(2, 4), softCap = 0.0) },
            )
            """
                            .trimIndent()
                )
            ok.messages.lines().filter { it.contains("error:") }.shouldBeEmpty()
            ok.exitCode shouldBe ExitCode.OK
        }

        test(
            "a block without a sparsity, an option of another variant, or a value of the wrong type does not compile"
        ) {
            // each line of interest is numbered in the comment after it; lines are counted in the
            // file
            val body =
                listOf(
                    "fun noSparsity() = sae { input(4); concepts(8) }", // 1
                    "fun wrongVariantOption() = sae { input(4); concepts(8); topK(2, momentum = 0.9) }", // 2
                    "fun wrongChoiceType() = sae { input(4); concepts(8); encoder = standard(); vanilla() }", // 3
                    "fun stringForEnum() = sae { input(4); concepts(8); batchTopK(4, per = \"batch\") }", // 4
                    "fun scheduleAsOptimizer(m: SparseAutoencoder, d: Dataset) = train(m, d) { optimizer = cosine() }", // 5
                    "fun outerReceiver(m: SparseAutoencoder, d: Dataset) = sae {",
                    "    input(4); concepts(8)",
                    "    train(m, d) { concepts(16) }", // 8
                    "    vanilla()",
                    "}",
                    "fun jumpReluK() = sae { input(4); concepts(8); jumpRelu(k = 3) }", // 11
                )
            val source = header + "\n" + body.joinToString("\n")
            val offset = header.lines().size
            val result = KotlinCompiler.compile(source)
            result.exitCode shouldBe ExitCode.COMPILATION_ERROR
            for (line in listOf(1, 2, 3, 4, 5, 8, 11)) {
                withClue(line, body[line - 1], result.messages) {
                    result.errorsAt(offset + line).shouldNotBeEmpty()
                }
            }
            result.errorsAt(offset + 1).joinToString() shouldContain "Sparsity"
            result.errorsAt(offset + 2).joinToString() shouldContain "momentum"
            result.errorsAt(offset + 8).joinToString() shouldContain "implicit receiver"
            for (line in listOf(6, 7, 9, 10)) {
                withClue(line, body[line - 1], result.messages) {
                    result.errorsAt(offset + line).shouldBeEmpty()
                }
            }
        }
    })

private fun withClue(line: Int, code: String, messages: String, check: () -> Unit) =
    io.kotest.assertions.withClue("snippet line $line `$code`; the compiler said:\n$messages") {
        check()
    }
