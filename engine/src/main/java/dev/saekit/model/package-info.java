/**
 * Models: one class per SAE variant over a shared {@link dev.saekit.model.SparseAutoencoder}
 * base (encoder, dictionary, train/eval mode, forward and explicit backward pass), each with an
 * immutable spec record beside it that implements the sealed {@link dev.saekit.model.VariantSpec}
 * (its settings, defaults, checks and JSON form). {@link dev.saekit.model.ModelSpec#build()} is the
 * only factory, and every model keeps the spec it was built from. Models know nothing of training
 * or of files (a spec reads and writes JSON nodes; {@code io} puts them in files).
 */
package dev.saekit.model;
