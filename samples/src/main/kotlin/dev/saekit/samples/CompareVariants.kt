package dev.saekit.samples

import dev.saekit.dsl.SaeBuilder
import dev.saekit.dsl.Sparsity
import dev.saekit.dsl.centered
import dev.saekit.dsl.matrix
import dev.saekit.dsl.sae
import dev.saekit.dsl.train
import java.util.Locale

/**
 * Every variant whose sparsity is a number of codes, at the same L0 (16 codes per word), on the
 * embedded GloVe vectors: one table of R², explained variance, measured L0, dead fraction and
 * training time. Argument: the number of epochs per variant (default 5).
 */
fun main(args: Array<String>) {
    val epochCount = args.firstOrNull()?.toInt() ?: 5
    val k = 16
    val data =
        matrix(EmbeddedData.vectors(), EmbeddedData.words(), EmbeddedData.DESCRIPTION).centered()
    val variants: List<Pair<String, SaeBuilder.() -> Sparsity>> =
        listOf(
            "topK" to { topK(k) },
            "batchTopK" to { batchTopK(k) },
            "matryoshka" to { matryoshka(k) },
            "msae" to { msae(nesting = listOf(k / 4, k / 2, k)) },
            "matchingPursuit" to { matchingPursuit(k) },
            "orthogonalMatchingPursuit" to { orthogonalMatchingPursuit(k) },
        )
    println(
        String.format(
            Locale.ROOT,
            "%-26s %8s %10s %7s %10s %8s",
            "variant",
            "r2",
            "expl.var",
            "L0",
            "dead",
            "seconds",
        )
    )
    for ((name, sparsity) in variants) {
        val model = sae {
            input(100)
            concepts(512)
            sparsity()
        }
        val run =
            train(model, data) {
                epochs = epochCount
                batchSize = 256
                optimizer = adam(lr = 1e-2)
                schedule = cosine(warmup = 0.05, minFactor = 0.1)
            }
        val m = run.metrics
        println(
            String.format(
                Locale.ROOT,
                "%-26s %8.4f %10.4f %7.2f %10.4f %8.1f",
                name,
                m.r2(),
                m.explainedVariance(),
                m.l0(),
                m.deadFraction(),
                run.seconds,
            )
        )
    }
}
