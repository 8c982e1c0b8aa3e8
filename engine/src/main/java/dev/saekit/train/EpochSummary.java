package dev.saekit.train;

/**
 * Averages over the steps of one epoch and the dead fraction over the epoch.
 *
 * @param epoch        0-based epoch
 * @param loss         mean batch loss
 * @param r2           mean batch r2
 * @param l0           mean batch L0 (count per sample)
 * @param deadFraction fraction of concepts never non-zero during the epoch
 * @param seconds      wall time of the epoch
 */
public record EpochSummary(int epoch, double loss, double r2, double l0, double deadFraction, double seconds) {}
