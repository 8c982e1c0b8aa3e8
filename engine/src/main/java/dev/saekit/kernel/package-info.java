/**
 * Hand-written kernels over the memory of ND4J arrays: top-k selection per row and over a whole
 * batch (ND4J's own {@code top_k} returns wrong values in this release), multithreaded across
 * rows. Kernels read and write contiguous C-order arrays in place and allocate nothing per call
 * beyond per-thread scratch that is reused.
 */
package dev.saekit.kernel;
