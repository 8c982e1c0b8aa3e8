package dev.saekit.samples

import dev.saekit.dsl.centered
import dev.saekit.dsl.matrix
import dev.saekit.dsl.sae
import dev.saekit.dsl.train
import java.util.Locale

/**
 * The DSL's quick start: a TopK SAE on the embedded GloVe word vectors, its metrics, and its
 * concepts as lists of words. Argument: the number of epochs (default 20).
 */
fun main(args: Array<String>) {
    val epochCount = args.firstOrNull()?.toInt() ?: 20
    val words = EmbeddedData.words()
    val data = matrix(EmbeddedData.vectors(), words, EmbeddedData.DESCRIPTION).centered()

    val model = sae {
        input(100)
        concepts(512)
        topK(16)
    }
    val run =
        train(model, data) {
            epochs = epochCount
            batchSize = 256
            optimizer = adam(lr = 1e-2)
            schedule = cosine(warmup = 0.05, minFactor = 0.1)
            loss = mse + auxK()
        }

    println("model    $model")
    println(String.format(Locale.ROOT, "trained  %d steps in %.1f s", run.steps, run.seconds))
    val m = run.metrics
    println(
        String.format(
            Locale.ROOT,
            "metrics  r2 %.4f, explained variance %.4f, L0 %.2f, dead fraction %.4f over %d words",
            m.r2(),
            m.explainedVariance(),
            m.l0(),
            m.deadFraction(),
            m.rows(),
        )
    )
    println("the concepts that fire on the most words, with the words they fire on most strongly:")
    printConcepts(model, data)
}
