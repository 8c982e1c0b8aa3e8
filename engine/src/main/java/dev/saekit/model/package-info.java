/**
 * Models: one class per SAE variant over a shared {@link dev.saekit.model.SparseAutoencoder}
 * base (encoder, dictionary, train/eval mode, forward and explicit backward pass). Models know
 * nothing of training or files.
 */
package dev.saekit.model;
