/**
 * Encoders: the map from an input batch {@code x [batch, input]} to pre-codes and codes
 * {@code [batch, concepts]}, with explicit backward passes. {@link dev.saekit.encoder.EncoderKind}
 * names the built-in architectures (identity, linear, MLPs with LayerNorm or BatchNorm);
 * {@link dev.saekit.encoder.TiedEncoder} shares the dictionary's weights.
 */
package dev.saekit.encoder;
