/**
 * Tensors: the one place that creates ND4J arrays, chooses float32 or float64, and owns the
 * seeded random number generator. Also the named, trainable {@link dev.saekit.tensor.Parameter}
 * and the reusable scratch buffers that keep the training step free of per-step allocation; and
 * the {@link dev.saekit.tensor.MemoryBudget} those arrays must fit in.
 */
package dev.saekit.tensor;
