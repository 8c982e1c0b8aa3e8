package dev.saekit.dsl

import dev.saekit.tensor.MemoryBudget

/**
 * Sets ND4J's native-memory caps (JavaCPP's `maxphysicalbytes` and `maxbytes`) from the memory this
 * process may use (its cgroup's limit, the machine's available memory, less a margin), as the
 * `saekit` command does: a run too large for the machine is then refused before its first step with
 * one message, and a later allocation past the cap fails with an `OutOfMemoryError` instead of the
 * kernel's out-of-memory killer. JavaCPP reads the caps once, when ND4J loads: the DSL's entry
 * points ([sae], [train], the data loaders) call this themselves, so call it first in `main` only
 * if your program uses ND4J before any of them. Values given with `-D` are kept. Calling it again
 * does nothing.
 */
fun useAvailableMemory() {
    memoryCaps
}

private val memoryCaps: Unit by lazy { MemoryBudget.limitJavaCppToAvailableMemory() }

/** For the inline entry points: [useAvailableMemory]. */
@PublishedApi internal fun ensureMemoryCaps() = useAvailableMemory()
