/**
 * Hand-written kernels over the memory of ND4J arrays: top-k selection per row and over a whole
 * batch (ND4J's own {@code top_k} returns wrong values in this release), multithreaded across
 * rows. Kernels read and write contiguous C-order arrays in place and allocate nothing per call
 * beyond per-thread scratch that is reused. {@link dev.saekit.kernel.Ops} is the element-wise
 * entry point the layers above call (ReLU and its backward pass, {@code axpy}): our own pass where
 * the arrays allow one, ND4J's op otherwise. Kernels sit one floor above {@link dev.saekit.tensor}
 * and import nothing else of the engine.
 */
package dev.saekit.kernel;
