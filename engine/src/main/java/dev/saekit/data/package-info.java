/**
 * Data: matrices of activations, one sample per row, validated once when a data set is made
 * (NaN/Inf named by row and column, empty sets refused) and served as seeded, shuffled
 * mini-batches written into a reused array.
 */
package dev.saekit.data;
