/**
 * Dictionaries: the decoder of every SAE, a matrix {@code D [concepts, input]} with one atom per
 * row, reconstructing {@code x_hat = z @ D}. {@link dev.saekit.dictionary.DictionaryLayer} is
 * the default (raw weights projected by a {@link dev.saekit.dictionary.Normalization}, with an
 * optional learned scale); other dictionaries implement {@link dev.saekit.dictionary.Dictionary}.
 */
package dev.saekit.dictionary;
