package dev.saekit.dsl

import dev.saekit.data.InMemoryDataset
import dev.saekit.tensor.DType
import dev.saekit.tensor.SeededRandom
import org.nd4j.linalg.factory.Nd4j

/** Test data for the specs. */
object Fixtures {
    /**
     * [rows] samples `x = z D*` of a known dictionary `D*` of [atoms] unit rows in [width]
     * dimensions, each with [active] codes in [0.5, 1.5): data an SAE can reconstruct well.
     */
    fun sparseDictionary(
        rows: Int,
        width: Int,
        atoms: Int,
        active: Int,
        seed: Long,
    ): InMemoryDataset {
        val rng = SeededRandom(seed)
        val dictionary = rng.normal(DType.FLOAT64, 1.0, atoms.toLong(), width.toLong())
        dictionary.diviColumnVector(dictionary.norm2(1).reshape(atoms.toLong(), 1))
        val codes =
            Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, rows.toLong(), atoms.toLong())
        for (i in 0 until rows) {
            repeat(active) {
                codes.putScalar(i.toLong(), rng.nextInt(atoms).toLong(), 0.5 + rng.nextDouble())
            }
        }
        return matrix(
            codes.mmul(dictionary).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
            description = "sparse dictionary",
        )
    }
}
