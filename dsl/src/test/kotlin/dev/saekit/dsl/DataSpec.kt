package dev.saekit.dsl

import dev.saekit.io.ActivationManifest
import dev.saekit.io.Npy
import dev.saekit.io.Safetensors
import dev.saekit.tensor.DType
import dev.saekit.tensor.SeededRandom
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files
import java.nio.file.Path
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream

class DataSpec :
    FunSpec({
        val dir: Path = Files.createTempDirectory("saekit-dsl-data")
        afterSpec { dir.toFile().deleteRecursively() }
        val rows = SeededRandom(5).normal(DType.FLOAT32, 1.0, 30, 4).addi(3.0)

        test("npy, npz and safetensors files load into memory with their labels and dtype") {
            Npy.write(dir.resolve("a.npy"), rows)
            Files.write(dir.resolve("a.txt"), (0 until 30).map { "word$it" })
            val fromNpy =
                npy(dir.resolve("a.npy").toString(), labels = dir.resolve("a.txt").toString())
            fromNpy.matrix() shouldBeIdenticalTo rows
            fromNpy.labels().get()[29] shouldBe "word29"
            npy(dir.resolve("a.npy").toString(), dtype = DType.FLOAT64).dtype() shouldBe
                DType.FLOAT64

            ZipOutputStream(Files.newOutputStream(dir.resolve("a.npz"))).use { zip ->
                zip.putNextEntry(ZipEntry("acts.npy"))
                Files.copy(dir.resolve("a.npy"), zip)
                zip.closeEntry()
            }
            npz(dir.resolve("a.npz").toString(), array = "acts").matrix() shouldBeIdenticalTo rows

            Safetensors.write(dir.resolve("a.safetensors"), mapOf("acts" to rows), mapOf())
            safetensors(dir.resolve("a.safetensors").toString(), tensor = "acts")
                .matrix() shouldBeIdenticalTo rows
        }

        test("Kotlin arrays become data sets, and ragged rows are refused by index") {
            matrix(arrayOf(floatArrayOf(1f, 2f), floatArrayOf(3f, 4f)))
                .matrix()
                .getDouble(1, 0) shouldBe 3.0
            matrix(arrayOf(doubleArrayOf(1.0, 2.0))).dtype() shouldBe DType.FLOAT64
            shouldThrow<InvalidSettingException> {
                    matrix(arrayOf(floatArrayOf(1f, 2f), floatArrayOf(3f)))
                }
                .message shouldBe "rows[1] width must be 2, the width of row 0, was 1"
        }

        test("files of every format flatten by the same rule, with rowAxes for token activations") {
            val tokens = SeededRandom(6).normal(DType.FLOAT32, 1.0, 4, 5, 3)
            Npy.write(dir.resolve("tokens.npy"), tokens)
            npy(dir.resolve("tokens.npy").toString()).matrix().shape().toList() shouldBe
                listOf(4L, 15L)
            npy(dir.resolve("tokens.npy").toString(), rowAxes = 2).matrix() shouldBe
                tokens.reshape('c', 20, 3)
            val shardDir = Files.createDirectories(dir.resolve("token-shards"))
            Npy.write(shardDir.resolve("a.npy"), tokens)
            shards(shardDir.toString(), rowAxes = 2).cols() shouldBe 3
            shouldThrow<InvalidSettingException> {
                npy(dir.resolve("tokens.npy").toString(), rowAxes = 0)
            }
        }

        test("a float64 beyond float32's range is named as stored, before conversion") {
            val big =
                SeededRandom(7).normal(DType.FLOAT64, 1.0, 50, 13).also {
                    it.putScalar(37, 5, 1e39)
                }
            Npy.write(dir.resolve("big.npy"), big)
            shouldThrow<IllegalArgumentException> { npy(dir.resolve("big.npy").toString()) }
                .message shouldContain "has 1.0E39 at row 37, column 5, beyond the range of float32"
            npy(dir.resolve("big.npy").toString(), dtype = DType.FLOAT64)
                .matrix()
                .getDouble(37, 5) shouldBe 1e39
        }

        test("a NaN in a file is reported with its row and column") {
            val bad = rows.dup().also { it.putScalar(7, 2, Double.NaN) }
            Npy.write(dir.resolve("nan.npy"), bad)
            shouldThrow<IllegalArgumentException> { npy(dir.resolve("nan.npy").toString()) }
                .message shouldContain "NaN at row 7, column 2"
        }

        test(
            "shard directories stream, activations are found by tap name, and centring removes the mean"
        ) {
            val shardDir = Files.createDirectories(dir.resolve("shards"))
            Npy.write(shardDir.resolve("part-0.npy"), rows.getRows(*IntArray(12) { it }))
            Npy.write(shardDir.resolve("part-1.npy"), rows.getRows(*IntArray(18) { it + 12 }))
            val streamed = shards(shardDir.toString(), bufferRows = 8)
            streamed.rows() shouldBe 30L
            streamed.sample(30, 1) shouldBeIdenticalTo rows

            val tapDir = Files.createDirectories(dir.resolve("acts/encoder_out"))
            Npy.write(tapDir.resolve("shard-00000.npy"), rows)
            ActivationManifest(
                    ActivationManifest.FORMAT_VERSION,
                    true,
                    "model.onnx",
                    "0",
                    "test",
                    30,
                    30,
                    0.1,
                    listOf(
                        ActivationManifest.Tap(
                            "encoder.out",
                            "encoder_out",
                            "[30, 4]",
                            4,
                            30,
                            0,
                            listOf(ActivationManifest.Shard("shard-00000.npy", 30)),
                        )
                    ),
                    mapOf(),
                )
                .write(dir.resolve("acts"))
            activations(dir.resolve("acts").toString(), tap = "encoder.out")
                .sample(30, 1) shouldBeIdenticalTo rows
            shouldThrow<InvalidSettingException> {
                    activations(dir.resolve("acts").toString(), tap = "encoder.outt")
                }
                .message shouldContain "closest: encoder.out"

            for (data in listOf(streamed.centered(), matrix(rows).centered())) {
                val mean = data.meanRow()
                // the mean of 30 centred float32 values near 3: the rounding of the mean and of
                // each
                // subtraction, summed over 30 rows
                mean.amaxNumber().toDouble() shouldBeLessThanOrEqual
                    tolerance(DType.FLOAT32, rows.amaxNumber().toDouble(), 2 * 30 + 2)
                data.rows() shouldBe 30L
            }
        }
    })
