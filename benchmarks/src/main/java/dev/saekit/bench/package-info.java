/**
 * JMH benchmarks of the engine's kernels ({@link dev.saekit.kernel}) on the shapes of the
 * performance benchmark (batch 1,024, 16,384 concepts, input 768, k 32, float32), each next to
 * the dense ND4J computation it replaces where one is cheap to express. Sizes are {@code @Param}
 * fields, so {@code -p concepts=4096} on the command line (or a test) changes them.
 */
package dev.saekit.bench;
