/**
 * Metrics under the names users of the Python tools know: overcomplete's {@code r2} (one scalar
 * mean), explained variance and FVU (per-dimension mean), the L0 family, dead fraction, Hoyer,
 * kappa-4 and cosine similarity; {@link dev.saekit.metrics.Evaluation} accumulates them exactly
 * over a whole data set.
 */
package dev.saekit.metrics;
