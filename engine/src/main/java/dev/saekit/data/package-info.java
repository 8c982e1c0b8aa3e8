/**
 * Data: matrices of activations, one sample per row, served as seeded, shuffled mini-batches
 * written into a reused array. {@link dev.saekit.data.InMemoryDataset} holds one matrix and
 * validates it once when it is made (NaN/Inf named by row and column, empty sets refused).
 * {@link dev.saekit.io.ShardedDataset} streams rows from shards of any format the engine reads
 * through memory-mapped windows, for data larger than memory: its shards are checked from their
 * headers up front, each value when it is read (NaN/Inf named by file, row and column), and it shuffles
 * within a stated memory bound (chunks in a seeded order through a shuffle buffer of a fixed
 * number of rows).
 */
package dev.saekit.data;
