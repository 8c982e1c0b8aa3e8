/**
 * What a concept dashboard shows about each concept of a sparse autoencoder, gathered in one
 * streaming pass over its codes in memory that does not grow with the rows:
 * {@link dev.saekit.concepts.ConceptStatistics} keeps, per concept, firing counts and moments, the
 * top activations, a reproducible uniform sample of the rows it fires on, a log-spaced histogram
 * of its values, the labels (token ids) it fires on as a Misra-Gries summary, and how often it
 * fires with every other concept. Statistics of disjoint rows merge (exactly, but for the label
 * summaries' bounded error and the rounding of sums) and are saved to a checked binary file, so a
 * pass can resume or run in shards. {@link dev.saekit.concepts.StatisticsPart} defines those two
 * per fixed segment of rows and combines segments up a fixed tree, so that statistics gathered in
 * parts (on several machines, or saved and continued) equal one pass bit for bit.
 */
package dev.saekit.concepts;
