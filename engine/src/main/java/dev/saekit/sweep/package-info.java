/**
 * Sparsity sweeps: a grid of variants x sparsity levels trained on one data set with the same
 * settings, and the sparsity–fidelity frontier it draws. A {@link dev.saekit.sweep.SweepGrid} holds
 * the cells: each is a variant and a {@link dev.saekit.sweep.SparsityLevel}, the k of the variants
 * whose sparsity is a count of codes, or the L1 coefficient of the loss of those whose sparsity
 * comes from the loss (vanilla, JumpReLU). {@link dev.saekit.sweep.SweepSettings} are what every
 * cell shares. {@link dev.saekit.sweep.SweepRunner} trains the cells into a directory it can resume
 * ({@code sweep.json}, one {@code cells/<cell>/} per cell with its checkpoint and
 * {@code result.json}, and {@code frontier.csv}, see {@link dev.saekit.sweep.FrontierCsv}); a
 * {@link dev.saekit.sweep.DownstreamEvaluator} adds columns of its own, such as the fraction of a
 * model's output recovered when the reconstruction is spliced in.
 *
 * <p>Every cell is placed on the frontier at the L0 it measured: a k cell near its k, an L1 cell
 * wherever its coefficient took it, so variants are compared along their whole frontier and never
 * at one L0 that a coefficient happened to land on. This package is the engine's top floor: it
 * trains (train), evaluates (metrics) and writes checkpoints (io).
 */
package dev.saekit.sweep;
