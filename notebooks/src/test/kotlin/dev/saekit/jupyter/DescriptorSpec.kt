package dev.saekit.jupyter

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotBeBlank
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterIntegration

/**
 * The Kotlin kernel's library descriptors that `%use saekit` and `%use saekit-onnx` read (the build
 * writes them into `target/kernel-libraries` from `src/main/kernel-libraries`, with its own
 * coordinates; `notebooks/setup-kernel` installs them), and the notebooks that use them.
 */
class DescriptorSpec :
    FunSpec({
        val coordinates = System.getProperty("saekit.jupyter.coordinates")
        val descriptors =
            Paths.get(
                System.getProperty("saekit.jupyter.kernelLibraries", "target/kernel-libraries")
            )
        val notebooks = Paths.get(System.getProperty("saekit.jupyter.notebooks", "."))

        fun descriptor(name: String): JsonObject {
            val file = descriptors.resolve("$name.json")
            withClue("$file (written by the build's generate-resources)") {
                Files.isRegularFile(file) shouldBe true
            }
            val text = Files.readString(file)
            text shouldNotContain "\${" // every property filtered in
            return Json.parseToJsonElement(text).jsonObject
        }

        fun JsonObject.strings(key: String) =
            getValue(key).jsonArray.map { it.jsonPrimitive.content }

        test(
            "`%use saekit` loads this module's own jar, at this build's version, from mavenLocal"
        ) {
            withClue("surefire passes the module's coordinates") {
                (coordinates != null) shouldBe true
            }
            val saekit = descriptor("saekit")
            saekit.strings("dependencies") shouldBe listOf(coordinates)
            saekit.strings("repositories") shouldBe listOf("*mavenLocal")
            saekit.getValue("description").jsonPrimitive.content.shouldNotBeBlank()
        }

        test(
            "the jar that `%use saekit` loads registers an integration the kernel can instantiate"
        ) {
            val registry =
                javaClass.classLoader.getResource(
                    "META-INF/kotlin-jupyter-libraries/libraries.json"
                )!!
            val producers =
                Json.parseToJsonElement(registry.readText())
                    .jsonObject
                    .getValue("producers")
                    .jsonArray
            val fqns = producers.map { it.jsonObject.getValue("fqn").jsonPrimitive.content }
            fqns shouldBe listOf("dev.saekit.jupyter.SaekitIntegration")
            val integration = Class.forName(fqns.single())
            JupyterIntegration::class.java.isAssignableFrom(integration) shouldBe true
            integration.getDeclaredConstructor() // the kernel instantiates it with no arguments
        }

        test("`%use saekit-onnx` loads a module of this build, at the same version") {
            val (group, _, version) = coordinates!!.split(":")
            val onnx = descriptor("saekit-onnx")
            onnx.strings("dependencies") shouldBe listOf("$group:saekit-onnx:$version")
            onnx.strings("repositories") shouldBe listOf("*mavenLocal")
            // saekit-onnx is a module of the root build, so `mvn install` puts it beside this jar
            val onnxPom = Files.readString(notebooks.resolve("../onnx/pom.xml"))
            onnxPom shouldContain "<artifactId>saekit-onnx</artifactId>"
            Files.readString(notebooks.resolve("../pom.xml")) shouldContain "<module>onnx</module>"
        }

        test(
            "every notebook's first code cell is a `%use` of saekit's descriptors, and no cell names a saekit version"
        ) {
            val files: List<Path> =
                Files.list(notebooks).use { s ->
                    s.filter { it.fileName.toString().endsWith(".ipynb") }.sorted().toList()
                }
            (files.size >= 1) shouldBe true
            for (file in files) {
                withClue(file.fileName.toString()) {
                    val cells =
                        Json.parseToJsonElement(Files.readString(file))
                            .jsonObject
                            .getValue("cells")
                            .jsonArray
                            .map { it.jsonObject }
                    val code =
                        cells
                            .filter { it.getValue("cell_type").jsonPrimitive.content == "code" }
                            .map { cell -> cell.strings("source").joinToString("") }
                    val first = code.first()
                    val used = Regex("^%use (.+)$").matchEntire(first)?.groupValues?.get(1)
                    withClue("first code cell: $first") { (used != null) shouldBe true }
                    val names = used!!.split(",").map { it.trim() }
                    names.first() shouldBe "saekit"
                    for (name in names) {
                        withClue("a descriptor $name.json") {
                            Files.exists(descriptors.resolve("$name.json")) shouldBe true
                        }
                    }
                    for (source in code) source shouldNotContain "dev.saekit:"
                }
            }
        }
    })
