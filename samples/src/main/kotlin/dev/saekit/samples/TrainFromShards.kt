package dev.saekit.samples

import dev.saekit.dsl.centered
import dev.saekit.dsl.evaluate
import dev.saekit.dsl.sae
import dev.saekit.dsl.save
import dev.saekit.dsl.shards
import dev.saekit.dsl.train
import dev.saekit.io.Npy
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.util.Locale

/**
 * Trains from a directory of `.npy` shards streamed from disk (data larger than memory works the
 * same way). Arguments: `[DIR [OUT]]`: the shard directory (default: the embedded vectors written
 * as 5 shards into a temporary directory) and where to save the model (default: not saved).
 */
fun main(args: Array<String>) {
    val dir: Path = args.getOrNull(0)?.let { Paths.get(it) } ?: embeddedAsShards()
    val data = shards(dir.toString(), bufferRows = 4096).centered()
    println("data     ${data.description()}: ${data.rows()} rows x ${data.cols()}")

    val model = sae {
        input(data.cols())
        concepts(512)
        batchTopK(16)
    }
    val run =
        train(model, data) {
            epochs = 5
            batchSize = 512
            optimizer = adam(lr = 1e-2)
            schedule = cosine(warmup = 0.05, minFactor = 0.1)
            onEpoch {
                println(
                    String.format(
                        Locale.ROOT,
                        "epoch %d  loss %.5f  r2 %.4f  L0 %.1f",
                        it.epoch() + 1,
                        it.loss(),
                        it.r2(),
                        it.l0(),
                    )
                )
            }
        }
    val m = evaluate(model, data)
    println(
        String.format(
            Locale.ROOT,
            "metrics  r2 %.4f, L0 %.2f, dead fraction %.4f over %d rows, %d steps in %.1f s",
            m.r2(),
            m.l0(),
            m.deadFraction(),
            m.rows(),
            run.steps,
            run.seconds,
        )
    )
    args.getOrNull(1)?.let { println("saved    ${model.save(Paths.get(it))}") }
}

/** The embedded vectors as five `.npy` shards of 2,000 rows in a temporary directory. */
private fun embeddedAsShards(): Path {
    val dir = Files.createTempDirectory("saekit-shards")
    dir.toFile().deleteOnExit()
    val vectors = EmbeddedData.vectors()
    for (i in 0 until 5) {
        val file = dir.resolve("part-$i.npy")
        Npy.write(file, vectors.getRows(*IntArray(2000) { it + 2000 * i }))
        file.toFile().deleteOnExit()
    }
    println("wrote the embedded vectors as 5 shards into $dir")
    return dir
}
