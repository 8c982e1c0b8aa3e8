/**
 * saekit: sparse autoencoders and dictionary learning on the JVM.
 *
 * <p>The engine's packages are floors, one package each, lowest first; a package imports only
 * packages on lower floors and its own (a sub-package such as {@link dev.saekit.train.listeners}
 * is on its parent's floor):
 * {@link dev.saekit.files} (files written whole or not at all) &larr;
 * {@link dev.saekit.tensor} (ND4J creation, dtype, RNG, parameters) &larr;
 * {@link dev.saekit.kernel} (our own top-k, pursuit and element-wise kernels) &larr;
 * {@link dev.saekit.data} (data sets as batches) &larr;
 * {@link dev.saekit.dictionary} (k-means fits a data set's sample) &larr;
 * {@link dev.saekit.encoder} (a tied encoder shares a dictionary) &larr;
 * {@link dev.saekit.model} &larr; {@link dev.saekit.metrics} &larr; {@link dev.saekit.train} &larr;
 * {@link dev.saekit.io} (files of all of these: checkpoints, data streams, model specs) &larr;
 * {@link dev.saekit.concepts} (per-concept statistics for dashboards, streamed, merged and saved) &larr;
 * {@link dev.saekit.sweep} (grids of variants x sparsity levels trained, measured and saved).
 * {@code LayeringTest} checks the compiled classes against this order; a new package needs its
 * floor there and here.
 */
package dev.saekit;
