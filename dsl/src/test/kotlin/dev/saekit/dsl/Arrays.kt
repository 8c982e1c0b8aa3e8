package dev.saekit.dsl

import dev.saekit.tensor.DType
import io.kotest.assertions.withClue
import io.kotest.matchers.Matcher
import io.kotest.matchers.MatcherResult
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.should
import io.kotest.matchers.shouldBe
import org.nd4j.linalg.api.buffer.DataType
import org.nd4j.linalg.api.ndarray.INDArray
import org.nd4j.linalg.ops.transforms.Transforms

/*
 * Array comparisons for the specs. `shouldBe` on two INDArrays goes through ND4J's `equals`, which
 * accepts differences up to 1e-5 (absolute or relative): a file read back, a copy or a seeded draw
 * must instead reproduce every value exactly, and a computed result is compared within a tolerance
 * derived from its own rounding.
 */

/** The values of `a` as doubles, in C order. */
private fun values(a: INDArray): DoubleArray = a.castTo(DataType.DOUBLE).dup('c').data().asDouble()

/** The largest `|a - b|` over all entries, in float64. */
internal fun maxDifference(a: INDArray, b: INDArray): Double =
    Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false)
        .maxNumber()
        .toDouble()

/** The same dtype, shape and values, bit for bit. */
internal fun identical(a: INDArray, b: INDArray): Boolean =
    a.dataType() == b.dataType() &&
        a.shape().contentEquals(b.shape()) &&
        values(a).contentEquals(values(b))

internal fun beIdenticalTo(expected: INDArray) =
    Matcher<INDArray> { actual ->
        MatcherResult(
            identical(actual, expected),
            {
                "expected ${expected.dataType()} ${expected.shape().contentToString()}, got ${actual.dataType()} " +
                    "${actual.shape().contentToString()}" +
                    if (expected.shape().contentEquals(actual.shape()))
                        ", largest difference ${maxDifference(expected, actual)}"
                    else ""
            },
            { "the arrays should differ" },
        )
    }

/** Asserts that this array reproduces `expected` exactly: dtype, shape and every value. */
internal infix fun INDArray.shouldBeIdenticalTo(expected: INDArray) =
    this should beIdenticalTo(expected)

/** Asserts that two lists of named arrays have the same names and identical arrays. */
internal infix fun List<Pair<String, INDArray>>.shouldBeIdenticalTo(
    expected: List<Pair<String, INDArray>>
) {
    this shouldHaveSize expected.size
    for ((a, e) in zip(expected)) {
        withClue(e.first) {
            a.first shouldBe e.first
            a.second shouldBeIdenticalTo e.second
        }
    }
}

/**
 * `operations` roundings of `dtype`'s machine epsilon at `magnitude`: what a computation in that
 * dtype can be off by (see the engine's tests, `Tolerance`).
 */
internal fun tolerance(dtype: DType, magnitude: Double, operations: Int): Double =
    operations * dtype.machineEpsilon() * Math.abs(magnitude)
