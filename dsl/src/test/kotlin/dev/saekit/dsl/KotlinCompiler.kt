package dev.saekit.dsl

import java.io.ByteArrayOutputStream
import java.io.File
import java.io.PrintStream
import java.nio.file.Files
import org.jetbrains.kotlin.cli.common.ExitCode
import org.jetbrains.kotlin.cli.jvm.K2JVMCompiler

/** What the Kotlin compiler said about a source file: its exit code and messages. */
data class Compilation(val exitCode: ExitCode, val messages: String) {
    /** The error messages reported on [line] (1-based) of the compiled file. */
    fun errorsAt(line: Int): List<String> =
        messages.lines().filter { it.contains("error:") && it.contains("Snippet.kt:$line:") }
}

/**
 * Compiles Kotlin source against the DSL as a notebook would: language 1.9, API 1.8 (what the
 * notebook kernel reads), with the test JVM's class path.
 */
object KotlinCompiler {
    private val classPath: String by lazy {
        val fromSurefire = System.getProperty("surefire.test.class.path")
        (fromSurefire ?: System.getProperty("java.class.path"))
            .split(File.pathSeparator)
            .filter { it.isNotBlank() && File(it).exists() }
            .joinToString(File.pathSeparator)
    }

    fun compile(source: String): Compilation {
        val dir = Files.createTempDirectory("saekit-dsl-compile")
        try {
            val file = dir.resolve("Snippet.kt")
            Files.writeString(file, source)
            val out = ByteArrayOutputStream()
            val exit =
                K2JVMCompiler()
                    .exec(
                        PrintStream(out, true, Charsets.UTF_8),
                        "-no-stdlib",
                        "-no-reflect",
                        "-language-version",
                        "1.9",
                        "-api-version",
                        "1.8",
                        "-jvm-target",
                        "17",
                        "-classpath",
                        classPath,
                        "-d",
                        dir.resolve("classes").toString(),
                        file.toString(),
                    )
            return Compilation(exit, out.toString(Charsets.UTF_8))
        } finally {
            dir.toFile().deleteRecursively()
        }
    }
}
