/**
 * saekit: sparse autoencoders and dictionary learning on the JVM.
 *
 * <p>The engine is layered; lower packages never import higher ones:
 * {@link dev.saekit.tensor} (ND4J creation, dtype, RNG, parameters) &larr;
 * {@link dev.saekit.kernel} (our own top-k and pursuit kernels) &larr;
 * {@link dev.saekit.dictionary} and {@link dev.saekit.encoder} &larr;
 * {@link dev.saekit.model} &larr; {@link dev.saekit.metrics}, {@link dev.saekit.data} &larr;
 * {@link dev.saekit.train}; {@link dev.saekit.io} reads and writes files.
 */
package dev.saekit;
