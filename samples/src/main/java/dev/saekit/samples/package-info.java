/**
 * Runnable examples of the Kotlin DSL ({@code QuickStart}, {@code CompareVariants},
 * {@code TrainFromShards}) and the data set embedded in the jar, {@link dev.saekit.samples.EmbeddedData}.
 */
package dev.saekit.samples;
